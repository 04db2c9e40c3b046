import { parseJsonText, parseOrThrow, UserError } from '@tunekit/core';
import { z } from 'zod';
import { QUANT_TYPES } from '../quant/index.js';
import { BLOCKSIZES_4BIT } from '../quant/quantize-4bit.js';
import { pythonJsonDumps } from './python-json.js';

/** torch's names of the dtypes a 4-bit weight is quantized from (bitsandbytes' quant_state `dtype`). */
export const TORCH_FLOAT_DTYPES = ['float32', 'float16', 'bfloat16'] as const;
export type TorchFloatDType = (typeof TORCH_FLOAT_DTYPES)[number];

/**
 * The non-tensor part of bitsandbytes' QuantState, which it packs as JSON into the uint8 tensor
 * `<weight>.quant_state.bitsandbytes__<quant_type>` (BNB_SOURCE functional.py `QuantState.as_dict`,
 * utils.py `pack_dict_to_tensor`): key order and spelling as bitsandbytes writes them.
 */
export const quantStateSchema = z.strictObject({
  quant_type: z.enum(QUANT_TYPES as ['nf4', 'fp4']),
  blocksize: z
    .number()
    .int()
    .refine((b) => BLOCKSIZES_4BIT.includes(b), {
      message: `must be one of ${BLOCKSIZES_4BIT.join(', ')}`,
    }),
  /** The dtype of the weight before quantization. */
  dtype: z.enum(TORCH_FLOAT_DTYPES),
  /** The weight's shape before quantization. */
  shape: z.array(z.number().int().nonnegative()),
  /** Double quantization: the absmax values' 8-bit blocks (256), their dtype and mean. */
  nested_blocksize: z.literal(256).optional(),
  nested_dtype: z.literal('float32').optional(),
  nested_offset: z.number().optional(),
});

export type QuantState = z.output<typeof quantStateSchema>;

const NESTED_KEYS = ['nested_blocksize', 'nested_dtype', 'nested_offset'] as const;

/** The tensor key suffix bitsandbytes stores the packed quant_state under, after `<weight>.`. */
export const quantStateKey = (quant_type: QuantState['quant_type']): string =>
  `quant_state.bitsandbytes__${quant_type}`;

/** bitsandbytes' bytes for `state`: `json.dumps` of it, UTF-8 (nested_offset is a Python float). */
export function packQuantState(state: QuantState): Uint8Array {
  const ordered = Object.fromEntries(
    (['quant_type', 'blocksize', 'dtype', 'shape', ...NESTED_KEYS] as const)
      .filter((key) => state[key] !== undefined)
      .map((key) => [key, state[key] as string | number | readonly number[]]),
  );
  return new TextEncoder().encode(pythonJsonDumps(ordered, new Set(['nested_offset'])));
}

/**
 * The quant_state packed in `bytes`, validated: `source` names the file and tensor in errors. The
 * nested keys come all together (double quantization) or not at all.
 */
export function unpackQuantState(bytes: Uint8Array, source: string): QuantState {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${source}: not UTF-8 text (bitsandbytes packs its quant_state as JSON)`);
  }
  const state = parseOrThrow(quantStateSchema, parseJsonText(text, source), source);
  const present = NESTED_KEYS.filter((key) => state[key] !== undefined);
  if (present.length !== 0 && present.length !== NESTED_KEYS.length) {
    throw new UserError(
      `${source}: has ${present.join(', ')} but not ${NESTED_KEYS.filter((k) => !present.includes(k)).join(', ')}; double quantization needs all three`,
    );
  }
  return state;
}
