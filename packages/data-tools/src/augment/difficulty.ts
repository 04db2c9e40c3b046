import { shuffle } from '@tunekit/trainer';
import { absoluteWhere, type DataRecord } from '../records/index.js';
import { words } from '../text/index.js';

/** Whether a source record counts as hard, by some signal. */
export type Difficulty = (record: DataRecord) => boolean;

/** Hard: an answer longer (in words) than the median answer of `records`. */
export function lengthDifficulty(records: readonly DataRecord[]): Difficulty {
  const lengths = records.map((r) => words(r.conversation.response).length).sort((a, b) => a - b);
  const median = lengths[Math.floor((lengths.length - 1) / 2)] ?? 0;
  return (record) => words(record.conversation.response).length > median;
}

/**
 * Hard: a record a model failed. `failed` holds their places made absolute (`absoluteWhere`, as
 * `hardExamples` finds them in an eval run); records' places are relative to `baseDir`.
 */
export function failureDifficulty(failed: ReadonlySet<string>, baseDir: string): Difficulty {
  return (record) => failed.has(absoluteWhere(record.where, baseDir));
}

/**
 * The largest subset of `items` whose share of hard ones is `hardFraction` (rounded), drawn at
 * random (seeded) within each kind and kept in order: so generation that favours one kind (easy
 * records paraphrase more readily, long answers fail length filters) does not skew the mix.
 */
export function balanceByDifficulty<T>(
  items: readonly T[],
  isHard: (item: T) => boolean,
  hardFraction: number,
  random: () => number,
): T[] {
  const hard = items.filter(isHard);
  const easy = items.filter((item) => !isHard(item));
  const total = Math.floor(
    Math.min(
      hardFraction > 0 ? hard.length / hardFraction : Number.POSITIVE_INFINITY,
      hardFraction < 1 ? easy.length / (1 - hardFraction) : Number.POSITIVE_INFINITY,
    ),
  );
  const hardKept = Math.round(total * hardFraction);
  const kept = new Set([
    ...shuffle([...hard], random).slice(0, hardKept),
    ...shuffle([...easy], random).slice(0, total - hardKept),
  ]);
  return items.filter((item) => kept.has(item));
}
