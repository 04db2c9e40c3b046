import { writeFile } from 'node:fs/promises';
import { seededRandom } from '@tunekit/core';
import type { DialoguesResult } from './dialogue-eval.js';
import { lastUserText } from './respond.js';
import type { SafetyResult } from './safety-eval.js';

/**
 * One answer for people to grade: `{id, prompt, response, reference}`, the record the review page
 * (`tunekit review`, issue 18) reads, plus where it came from: `source` (eval, safety or dialogue)
 * and what that source knows (a safety label, a dialogue's earlier turns).
 */
export interface SpotCheckRecord {
  readonly id: string;
  readonly prompt: string;
  readonly response: string;
  /** The reference answer, or what was expected ('(should refuse)'); empty when nothing was. */
  readonly reference: string;
  readonly source: 'eval' | 'safety' | 'dialogue';
  readonly meta?: Readonly<Record<string, unknown>>;
}

/**
 * `n` of `records` drawn uniformly without replacement (seeded, so the same run gives the same
 * draw), kept in their original order; all of them when there are fewer.
 */
export function sampleSpotChecks(
  records: readonly SpotCheckRecord[],
  n: number,
  seed = 0,
): SpotCheckRecord[] {
  const random = seededRandom(seed);
  const order = records.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => records[i]);
}

/** Writes `records` as JSON Lines to `path`. */
export async function writeSpotChecks(
  path: string,
  records: readonly SpotCheckRecord[],
): Promise<void> {
  await writeFile(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** What an evaluation answered, for `spotCheckRecords`. */
export interface AnsweredSets {
  readonly samples?: readonly {
    readonly where: string;
    readonly prompt: string;
    readonly prediction: string;
    readonly reference: string;
  }[];
  readonly safety?: SafetyResult;
  readonly dialogues?: DialoguesResult;
}

/**
 * Every answer of an evaluation as a spot-check record: eval samples (the rendered prompt),
 * safety prompts (the user's message, the label as the reference), and each dialogue turn (the
 * earlier turns in `meta.history`).
 */
export function spotCheckRecords(sets: AnsweredSets): SpotCheckRecord[] {
  const samples = (sets.samples ?? []).map(
    (s): SpotCheckRecord => ({
      id: `eval:${s.where}`,
      prompt: s.prompt,
      response: s.prediction,
      reference: s.reference,
      source: 'eval',
    }),
  );
  const safety = (sets.safety?.judgements ?? []).map(
    (j): SpotCheckRecord => ({
      id: `safety:${j.id}`,
      prompt: lastUserText(j.messages),
      response: j.response,
      reference: j.label === 'refuse' ? '(should refuse)' : '(should answer)',
      source: 'safety',
      meta: { label: j.label, refused: j.refused, category: j.category, where: j.where },
    }),
  );
  const dialogues = (sets.dialogues?.dialogues ?? []).flatMap((d) =>
    d.turns.map(
      (t, k): SpotCheckRecord => ({
        id: `dialogue:${d.id}:${k + 1}`,
        prompt: t.user,
        response: t.answer,
        reference: '',
        source: 'dialogue',
        meta: {
          history: d.turns.slice(0, k).flatMap((p) => [
            { role: 'user', content: p.user },
            { role: 'assistant', content: p.answer },
          ]),
          passed: t.passed,
          where: d.where,
        },
      }),
    ),
  );
  return [...samples, ...safety, ...dialogues];
}
