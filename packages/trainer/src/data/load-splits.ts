import { seededRandom, UserError } from '@tunekit/core';
import type { DataFile } from './read/index.js';
import type { DataSource, SftDataConfig } from './sft-data-config.js';
import { splitEval } from './split-eval.js';

/** A source as a loader read it: at least its files and their hashes. */
export interface ReadSource {
  readonly files: readonly DataFile[];
  readonly fileHashes: readonly string[];
}

/** Every train and eval source of a config, read in config order (train first). */
export async function readSources<S extends ReadSource>(
  c: Pick<SftDataConfig, 'train' | 'eval'>,
  read: (source: DataSource) => Promise<S>,
): Promise<{ readonly train: S[]; readonly eval: S[] }> {
  const train: S[] = [];
  for (const source of c.train) train.push(await read(source));
  const evalSources: S[] = [];
  for (const source of c.eval ?? []) evalSources.push(await read(source));
  return { train, eval: evalSources };
}

/**
 * The items (examples, pairs) of read sources, split: `items` makes each source's records into
 * items, the train sources in order, then the eval sources. With eval_split, each train source
 * with items holds out its share (drawn with one generator seeded by `seed` across sources); the
 * eval items are those held out, then the eval sources'.
 */
export function splitSources<S extends ReadSource, T>(
  c: Pick<SftDataConfig, 'eval_split' | 'seed'>,
  sources: { readonly train: readonly S[]; readonly eval: readonly S[] },
  items: (source: S, split: 'train' | 'eval', index: number) => T[],
): { readonly train: T[][]; readonly eval: T[] } {
  const random = seededRandom(c.seed);
  const held: T[] = [];
  const train = sources.train.map((source, i) => {
    const all = items(source, 'train', i);
    if (c.eval_split === undefined || all.length === 0) return all;
    const names = source.files.map((file) => file.path).join(', ');
    const parts = splitEval(
      all.map((_, k) => k),
      c.eval_split,
      random,
      names,
    );
    held.push(...parts.eval.map((k) => all[k]));
    return parts.train.map((k) => all[k]);
  });
  sources.eval.forEach((source, i) => {
    held.push(...items(source, 'eval', i));
  });
  return { train, eval: held };
}

/**
 * `make`'s item, or with `skipInvalid` none when it finds the record invalid (a UserError),
 * whose message goes to `skipped`.
 */
export function unlessInvalid<T>(
  opts: { readonly skipInvalid: boolean; readonly skipped: string[] },
  make: () => T,
): T[] {
  try {
    return [make()];
  } catch (error) {
    if (!(error instanceof UserError) || !opts.skipInvalid) throw error;
    opts.skipped.push(error.message);
    return [];
  }
}
