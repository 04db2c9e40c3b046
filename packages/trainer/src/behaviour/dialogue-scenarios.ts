import { type Metric, parseOrThrow, UserError } from '@tunekit/core';
import { z } from 'zod';
import { readRecordFile } from './read-record-file.js';
import { compileCheck, type TurnCheck, type TurnCheckSpec, turnCheckSchema } from './turn-check.js';

const scenarioSchema = z.strictObject({
  id: z.union([z.string().min(1), z.number()]).optional(),
  system: z.string().min(1).optional(),
  turns: z
    .array(z.strictObject({ user: z.string().min(1), check: turnCheckSchema.optional() }))
    .min(1),
  /** Checked against the dialogue's answers joined by new lines. */
  check: turnCheckSchema.optional(),
});

export interface ScenarioTurn {
  readonly user: string;
  readonly check?: { readonly spec: TurnCheckSpec; readonly run: TurnCheck };
}

/** A scripted conversation: the user's turns, each with an optional check of the answer. */
export interface DialogueScenario {
  readonly where: string;
  readonly id: string;
  readonly system?: string;
  readonly turns: readonly ScenarioTurn[];
  /** A check of the whole dialogue: all answers joined by new lines. */
  readonly check?: { readonly spec: TurnCheckSpec; readonly run: TurnCheck };
}

/**
 * A scenario file: YAML (a list, or a mapping with a `dialogues` list) or JSON Lines of
 * `{id?, system?, turns: [{user, check?}], check?}`. Checks are compiled against `metrics` (the
 * registered ones) here, so a bad one fails before any answer is generated.
 */
export async function readScenarios(
  path: string,
  metrics: readonly Metric[],
): Promise<DialogueScenario[]> {
  const records = await readRecordFile(path, 'dialogues');
  if (records.length === 0) throw new UserError(`${path}: the scenario file has no dialogues`);
  return records.map(({ where, record }, i) => {
    const s = parseOrThrow(scenarioSchema, record, where);
    const compiled = (spec: TurnCheckSpec | undefined, at: string) =>
      spec && { spec, run: compileCheck(spec, metrics, at) };
    return {
      where,
      id: String(s.id ?? i + 1),
      ...(s.system !== undefined ? { system: s.system } : {}),
      turns: s.turns.map((t, k) => ({
        user: t.user,
        ...(t.check ? { check: compiled(t.check, `${where}, turn ${k + 1}`) } : {}),
      })),
      ...(s.check ? { check: compiled(s.check, `${where}, check`) } : {}),
    };
  });
}
