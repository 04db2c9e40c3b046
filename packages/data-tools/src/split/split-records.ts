import { seededRandom, UserError } from '@tunekit/core';
import { shuffle } from '@tunekit/trainer';
import type { DataRecord } from '../records/index.js';

export interface SplitOptions {
  /** The share of records for eval, in (0, 1); or `evalSize` records. */
  readonly evalRatio?: number;
  readonly evalSize?: number;
  /** A record field (`task`, `label`...) whose values keep their proportions in both parts. */
  readonly stratify?: string;
  readonly seed?: number;
}

export interface SplitResult {
  readonly train: readonly DataRecord[];
  readonly eval: readonly DataRecord[];
  /** Per stratum (the field's value; all records when not stratified): records in train and eval. */
  readonly strata: Readonly<Record<string, { readonly train: number; readonly eval: number }>>;
}

/**
 * Splits records into train and eval at random (seeded), stratified by a field when asked: each
 * stratum gives eval its share, rounded, with the remainders spread so the total is as asked.
 * Both parts keep the file order.
 */
export function splitRecords(records: readonly DataRecord[], opts: SplitOptions): SplitResult {
  const total = records.length;
  const evalTotal = opts.evalSize ?? Math.round((opts.evalRatio ?? Number.NaN) * total);
  if (!Number.isInteger(evalTotal) || evalTotal < 1 || evalTotal >= total)
    throw new UserError(
      `the eval part would hold ${Number.isNaN(evalTotal) ? 'no' : evalTotal} of ${total} records; ask for between 1 and ${total - 1} (--eval-ratio or --eval-size)`,
    );
  const groups = new Map<string, number[]>();
  records.forEach((record, i) => {
    const key = opts.stratify === undefined ? 'all' : stratumOf(record, opts.stratify);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  // largest-remainder apportionment of the eval records over the strata
  const quotas = [...groups].map(([key, members]) => {
    const exact = (evalTotal * members.length) / total;
    return { key, members, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = evalTotal - quotas.reduce((sum, q) => sum + q.count, 0);
  for (const quota of [...quotas].sort((a, b) => b.remainder - a.remainder)) {
    if (left === 0) break;
    quota.count++;
    left--;
  }
  const random = seededRandom(opts.seed ?? 42);
  const evalIndices = new Set<number>();
  const strata: Record<string, { train: number; eval: number }> = {};
  for (const { key, members, count } of quotas) {
    for (const i of shuffle([...members], random).slice(0, count)) evalIndices.add(i);
    strata[key] = { train: members.length - count, eval: count };
  }
  return {
    train: records.filter((_, i) => !evalIndices.has(i)),
    eval: records.filter((_, i) => evalIndices.has(i)),
    strata,
  };
}

function stratumOf(record: DataRecord, field: string): string {
  const value = (record.raw as Record<string, unknown> | null)?.[field];
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new UserError(
    `${record.where}: no '${field}' to stratify by (a string, number or boolean); every record needs one`,
  );
}
