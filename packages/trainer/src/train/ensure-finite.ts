import { UserError } from '@tunekit/core';
import type { DataCursor } from './data-windows.js';
import type { OptimizerStepResult } from './optimizer-step.js';

/**
 * Stops the run on a NaN or infinite loss or gradient norm, before anything is saved, so the last
 * checkpoint on disk is the last good one. The message names the step and its batches.
 */
export function ensureFinite(
  result: OptimizerStepResult,
  where: {
    readonly step: number;
    readonly cursor: DataCursor;
    readonly batches: number;
    readonly lastCheckpoint?: string;
  },
): void {
  const bad = !Number.isFinite(result.loss)
    ? `loss is ${result.loss}`
    : !Number.isFinite(result.gradNorm)
      ? `gradient norm is ${result.gradNorm}`
      : undefined;
  if (bad === undefined) return;
  const { epoch, batchIndex } = where.cursor;
  const batches =
    where.batches === 1
      ? `batch ${batchIndex}`
      : `batches ${batchIndex}-${batchIndex + where.batches - 1}`;
  throw new UserError(
    `training stopped: the ${bad} at step ${where.step} (epoch ${epoch}, ${batches}). ` +
      (where.lastCheckpoint
        ? `The last good checkpoint is ${where.lastCheckpoint}; `
        : 'No checkpoint was written before it; ') +
      'lower learning_rate, set max_grad_norm, or check that batch for bad data',
  );
}
