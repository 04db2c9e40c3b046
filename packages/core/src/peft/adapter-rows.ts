import type { GraphBuilder, Tensor } from '../graph/index.js';

/**
 * Graph inputs that say, per row of a batch, whether an adapter applies there: f32 [batch] of 1s
 * and 0s named `adapter_rows.<adapter>`, which a caller feeds with each run. They exist only in
 * graphs traced with per-row adapters (`PeftModel.setAdapterPerRow`), so one batch can mix rows
 * answered by different LoRA adapters, or by none.
 */
export const ADAPTER_ROWS_INPUT_PREFIX = 'adapter_rows.';

/** The name of adapter `name`'s row-mask input. */
export function adapterRowsInput(name: string): string {
  return `${ADAPTER_ROWS_INPUT_PREFIX}${name}`;
}

/**
 * Adapter `name`'s row mask shaped to multiply a [batch, ...] tensor of `rank` dimensions
 * ([batch, 1, ..., 1]); the input is declared once per graph.
 */
export function adapterRowMask(b: GraphBuilder, name: string, batch: number, rank: number): Tensor {
  const input = adapterRowsInput(name);
  const declared = b.graphInputs().find((i) => i.name === input);
  const mask = declared ? b.tensorOf(declared.node) : b.input(input, [batch], 'f32');
  return mask.reshape([batch, ...new Array<number>(rank - 1).fill(1)]);
}
