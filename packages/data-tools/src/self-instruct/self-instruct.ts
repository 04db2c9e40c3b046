import { seededRandom, UserError } from '@tunekit/core';
import { rougeL, rougeTokenize, shuffle } from '@tunekit/trainer';
import type { TextGenerator } from '../generate/index.js';
import {
  DEFAULT_INSTRUCTION_FILTERS,
  type InstructionFilters,
  instructionRejection,
} from './instruction-filters.js';
import { instructionPrompt, parseInstructions } from './instruction-prompt.js';
import type { SeedTask } from './seed-tasks.js';

export interface SelfInstructOptions {
  readonly generator: TextGenerator;
  readonly seeds: readonly SeedTask[];
  /** New instructions wanted. */
  readonly count: number;
  /** In-context instructions per prompt (Self-Instruct: 8), fewer where the model's positions end. */
  readonly promptTasks?: number;
  /** Of them, how many come from the generated pool once it has some (Self-Instruct: 2). */
  readonly machineTasks?: number;
  /** Prompts generated per round; default 8. */
  readonly promptsPerRound?: number;
  /** Rounds at most; default 20. */
  readonly maxRounds?: number;
  /** A new instruction is dropped when its ROUGE-L F with one in the pool is above this; default 0.7. */
  readonly rougeL?: number;
  readonly filters?: InstructionFilters;
  readonly seed?: number;
}

/** A generated task, as an Alpaca record with where it came from. */
export interface SelfInstructRecord {
  readonly instruction: string;
  readonly input: string;
  readonly output: string;
  readonly round: number;
}

export interface SelfInstructResult {
  readonly records: readonly SelfInstructRecord[];
  /** Instructions parsed from the model's continuations, and why each dropped one went. */
  readonly generated: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly rounds: number;
}

/**
 * Self-Instruct (Wang et al. 2023) from seed tasks: each round samples in-context instructions
 * (seed tasks, and some generated ones once there are), asks the model to continue the numbered
 * list, keeps the new instructions that pass the heuristic filters and whose ROUGE-L against every
 * instruction in the pool is at most 0.7, then has the model answer each one through its chat
 * template (instances are generated zero-shot, not with the paper's few-shot instance prompts).
 */
export async function selfInstruct(opts: SelfInstructOptions): Promise<SelfInstructResult> {
  const { generator } = opts;
  const random = seededRandom(opts.seed ?? 42);
  const filters = opts.filters ?? DEFAULT_INSTRUCTION_FILTERS;
  const threshold = opts.rougeL ?? 0.7;
  const pool = opts.seeds.map((task) => ({
    text: task.instruction,
    tokens: rougeTokenize(task.instruction),
  }));
  const records: SelfInstructRecord[] = [];
  const dropped: Record<string, number> = {};
  const drop = (why: string) => {
    dropped[why] = (dropped[why] ?? 0) + 1;
  };
  let generated = 0;
  let rounds = 0;
  while (records.length < opts.count && rounds < (opts.maxRounds ?? 20)) {
    rounds++;
    const prompts = Array.from({ length: opts.promptsPerRound ?? 8 }, () =>
      fittedPrompt(generator, sampleInstructions(opts, records, random)),
    );
    const candidates = (await generator.complete(prompts)).flatMap(parseInstructions);
    generated += candidates.length;
    const accepted: string[] = [];
    for (const instruction of candidates) {
      const rejection = instructionRejection(instruction, filters);
      if (rejection) {
        drop(rejection);
        continue;
      }
      const tokens = rougeTokenize(instruction);
      if (pool.some((kept) => rougeL(kept.tokens, tokens).fmeasure > threshold)) {
        drop('similar');
        continue;
      }
      pool.push({ text: instruction, tokens });
      accepted.push(instruction);
    }
    const outputs = await generator.answer(
      accepted.map((instruction) => [{ role: 'user', content: instruction }]),
    );
    accepted.forEach((instruction, i) => {
      const output = (outputs[i] ?? '').trim();
      if (output === '') drop('empty_output');
      else if (records.length < opts.count)
        records.push({ instruction, input: '', output, round: rounds });
    });
  }
  return { records, generated, dropped, rounds };
}

/** In-context instructions: `machineTasks` generated ones when there are, the rest seed tasks. */
function sampleInstructions(
  opts: SelfInstructOptions,
  records: readonly SelfInstructRecord[],
  random: () => number,
): string[] {
  const total = opts.promptTasks ?? 8;
  const machine = shuffle([...records], random)
    .slice(0, Math.min(opts.machineTasks ?? 2, total))
    .map((r) => r.instruction);
  const seeds = shuffle([...opts.seeds], random)
    .slice(0, total - machine.length)
    .map((t) => t.instruction);
  return shuffle([...seeds, ...machine], random);
}

/** The prompt with as many of `instructions` as fit beside the answer in the model's positions. */
function fittedPrompt(generator: TextGenerator, instructions: readonly string[]): string {
  const room = generator.positions - generator.maxNewTokens;
  for (let n = instructions.length; n >= 1; n--) {
    const prompt = instructionPrompt(instructions.slice(0, n));
    if (generator.countTokens(prompt) <= room) return prompt;
  }
  throw new UserError(
    `self-instruct: a prompt with one seed task does not fit the model's ${generator.positions} positions beside max_new_tokens ${generator.maxNewTokens}; use a model with more positions, shorter seed instructions or fewer new tokens`,
  );
}
