import type { DataStats } from './sft-data.js';
import type { TextSource } from './text-records.js';

/** What a task head's loader (classification, embeddings) reports, in SFT's DataStats shape. */
export function taskDataStats(opts: {
  readonly format: string;
  readonly trainSources: readonly TextSource[];
  readonly evalSources: readonly TextSource[];
  readonly trainCount: number;
  readonly evalCount: number;
  readonly sourceCounts: readonly number[];
  readonly weights: readonly number[];
  readonly fingerprint: string;
  readonly skipped: readonly string[];
  readonly truncated: readonly string[];
  readonly maxLength: number;
}): DataStats {
  const inputs = (split: 'train' | 'eval', sources: readonly TextSource[]) =>
    sources.flatMap((s) =>
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
    sources: opts.trainSources.map((s, i) => ({
      files: s.files.map((f) => f.path),
      format: opts.format,
      weight: opts.weights[i],
      examples: opts.sourceCounts[i],
    })),
    inputs: [...inputs('train', opts.trainSources), ...inputs('eval', opts.evalSources)],
    warnings: [
      ...(skipped.length > 0 ? [`${skipped.length} invalid records skipped: ${skipped[0]}`] : []),
      ...(truncated.length > 0
        ? [
            `${truncated.length} texts longer than max_length (${opts.maxLength}) were cut: ${truncated.slice(0, 3).join(', ')}`,
          ]
        : []),
    ],
  };
}
