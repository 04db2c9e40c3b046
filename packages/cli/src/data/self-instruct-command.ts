import { readSeedTasks, selfInstruct, writeDataFile } from '@tunekit/data-tools';
import { Command } from 'commander';
import { integerIn, numberIn } from '../option-parsers.js';
import { pluginOption } from '../plugins/index.js';
import type { CliStreams } from '../run-cli.js';
import { commandLine, type DataFlags } from './data-context.js';
import { type ModelFlags, modelOptions, openFlagsGenerator } from './model-options.js';
import { checkOutputs } from './outputs.js';

interface SelfInstructFlags extends DataFlags, ModelFlags {
  readonly seed: string;
  readonly out: string;
  readonly count: number;
  readonly promptTasks: number;
  readonly machineTasks: number;
  readonly promptsPerRound: number;
  readonly maxRounds: number;
  readonly rougeL: number;
}

/** `tunekit data self-instruct`: new instruction data from seed tasks and a model. */
export function selfInstructCommand(streams: CliStreams): Command {
  const command: Command = modelOptions(
    new Command('self-instruct')
      .description(
        'Generate instructions from seed tasks with a model, as Self-Instruct does: numbered in-context tasks, heuristic filters, ROUGE-L <= 0.7 against the pool; each kept instruction answered by the model.',
      )
      .requiredOption(
        '--seed <file>',
        "seed tasks (Self-Instruct's and Alpaca's seed_tasks.jsonl: id, name, instruction, instances, is_classification)",
      )
      .requiredOption(
        '-o, --out <file>',
        'where the new Alpaca records go (JSONL, with a manifest beside it)',
      )
      .option('--count <n>', 'new instructions wanted', integerIn(1), 100)
      .option(
        '--prompt-tasks <n>',
        'in-context instructions per prompt (fewer where the model runs out of positions)',
        integerIn(1),
        8,
      )
      .option('--machine-tasks <n>', 'of them, generated ones once there are some', integerIn(0), 2)
      .option('--prompts-per-round <n>', 'prompts generated per round', integerIn(1), 8)
      .option('--max-rounds <n>', 'rounds at most', integerIn(1), 20)
      .option(
        '--rouge-l <f>',
        'drop an instruction whose ROUGE-L with one in the pool is above this',
        numberIn(0, 1),
        0.7,
      )
      .option('--overwrite', 'replace the output file if it exists')
      .addOption(pluginOption("tunekit's own packages")),
  ).action(async (flags: SelfInstructFlags) => {
    await checkOutputs({ '--out': flags.out }, [flags.seed], flags);
    const seeds = await readSeedTasks(flags.seed);
    const generator = await openFlagsGenerator(flags, flags.model);
    try {
      const result = await selfInstruct({
        generator,
        seeds,
        count: flags.count,
        promptTasks: flags.promptTasks,
        machineTasks: flags.machineTasks,
        promptsPerRound: flags.promptsPerRound,
        maxRounds: flags.maxRounds,
        rougeL: flags.rougeL,
        seed: flags.randomSeed,
      });
      await writeDataFile(flags.out, result.records, {
        flag: '--out',
        overwrite: flags.overwrite,
        inputs: [flags.seed],
        format: 'alpaca',
        command: commandLine(command),
        details: {
          model: flags.model,
          generated: result.generated,
          dropped: result.dropped,
          rounds: result.rounds,
        },
      });
      const why = Object.entries(result.dropped).map(([reason, n]) => `${n} ${reason}`);
      streams.stdout.write(
        `${flags.out}: ${result.records.length} new instructions from ${result.generated} generated in ${result.rounds} rounds${why.length > 0 ? ` (dropped ${why.join(', ')})` : ''}\n`,
      );
    } finally {
      await generator.dispose();
    }
  });
  return command;
}
