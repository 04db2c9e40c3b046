import type { DataStats } from './sft-data.js';
import type { SftDataConfig } from './sft-data-config.js';
import type { TextSource } from './text-records.js';

/** What a task head's loader (classification, embeddings) reports, in SFT's DataStats shape. */
export function taskDataStats(
  c: Pick<SftDataConfig, 'train' | 'max_length'>,
  sources: { readonly train: readonly TextSource[]; readonly eval: readonly TextSource[] },
  opts: {
    readonly format: string;
    readonly trainCount: number;
    readonly evalCount: number;
    readonly fingerprint: string;
    readonly skipped: readonly string[];
    readonly truncated: readonly string[];
  },
): DataStats {
  const inputs = (split: 'train' | 'eval', list: readonly TextSource[]) =>
    list.flatMap((s) =>
      s.files.map((file, i) => ({ split, path: file.path, sha256: s.fileHashes[i] })),
    );
  const { skipped, truncated } = opts;
  return {
    examples: opts.trainCount,
    evalExamples: opts.evalCount,
    skipped: skipped.length,
    truncated: truncated.length,
    duplicates: 0,
    unsupervised: 0,
    supervisedTokens: opts.trainCount,
    examplesPerEpoch: opts.trainCount,
    fingerprint: opts.fingerprint,
    sources: sources.train.map((s, i) => ({
      files: s.files.map((f) => f.path),
      format: opts.format,
      weight: c.train[i].weight,
      examples: s.records.length,
    })),
    inputs: [...inputs('train', sources.train), ...inputs('eval', sources.eval)],
    warnings: [
      ...(skipped.length > 0 ? [`${skipped.length} invalid records skipped: ${skipped[0]}`] : []),
      ...(truncated.length > 0
        ? [
            `${truncated.length} texts longer than max_length (${c.max_length}) were cut: ${truncated.slice(0, 3).join(', ')}`,
          ]
        : []),
    ],
  };
}
