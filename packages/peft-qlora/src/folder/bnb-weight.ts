import { HostTensor, type ModelWeights, SAFETENSORS_DTYPES, UserError } from '@tunekit/core';
import type { NestedAbsmax, Quantized4bit } from '../quant/index.js';
import {
  packQuantState,
  type QuantState,
  quantStateKey,
  type TorchFloatDType,
  unpackQuantState,
} from './quant-state.js';

/** A 4-bit weight as bitsandbytes saves it: the quantized values and what it was before. */
export interface BnbWeight {
  readonly quantized: Quantized4bit;
  /** The weight's shape before quantization ([out, in] for a Linear). */
  readonly shape: readonly number[];
  /** Its dtype before quantization; dequantizing gives f32 values of that precision. */
  readonly dtype: TorchFloatDType;
}

/** bitsandbytes' block size of the double-quantized absmax values. */
const NESTED_BLOCKSIZE = 256;

/** The tensor keys after `<weight>.` that bitsandbytes saves beside a 4-bit weight. */
const COMPONENTS = ['absmax', 'quant_map', 'nested_absmax', 'nested_quant_map'] as const;

/**
 * The tensors bitsandbytes' Linear4bit saves for weight `name` (BNB_SOURCE nn/modules.py
 * `_save_to_state_dict`, functional.py `QuantState.as_dict(packed=True)`): `name` u8 [ceil(n/2), 1]
 * (quant_storage uint8), `name.absmax` (f32 per block, or u8 codes with double quantization),
 * `name.quant_map` f32 [16], with double quantization `name.nested_absmax` f32 and
 * `name.nested_quant_map` f32 [256], and `name.quant_state.bitsandbytes__<quant_type>`, u8 JSON.
 */
export function bnbWeightTensors(name: string, w: BnbWeight): Map<string, HostTensor> {
  const q = w.quantized;
  const state: QuantState = {
    quant_type: q.quant_type,
    blocksize: q.blocksize,
    dtype: w.dtype,
    shape: [...w.shape],
  };
  const out = new Map<string, HostTensor>([
    [name, new HostTensor('u8', [q.packed.length, 1], q.packed)],
  ]);
  if (q.absmax instanceof Float32Array) {
    out.set(`${name}.absmax`, vector('f32', q.absmax));
  } else {
    out.set(`${name}.absmax`, vector('u8', q.absmax.quantized));
    out.set(`${name}.nested_absmax`, vector('f32', q.absmax.absmax));
    out.set(`${name}.nested_quant_map`, vector('f32', Float32Array.from(q.absmax.code)));
    Object.assign(state, {
      nested_blocksize: NESTED_BLOCKSIZE,
      nested_dtype: 'float32',
      nested_offset: q.absmax.offset,
    });
  }
  out.set(`${name}.quant_map`, vector('f32', Float32Array.from(q.quant_map)));
  const json = packQuantState(state);
  out.set(`${name}.${quantStateKey(q.quant_type)}`, vector('u8', json));
  return out;
}

const vector = (dtype: 'f32' | 'u8', data: Float32Array | Uint8Array): HostTensor =>
  new HostTensor(dtype, [data.length], data);

/** The key of the packed quant_state of weight `name` in `weights`, if it is a 4-bit weight. */
export function quantStateKeyOf(weights: ModelWeights, name: string): string | undefined {
  const keys = (['nf4', 'fp4'] as const)
    .map((t) => `${name}.${quantStateKey(t)}`)
    .filter((k) => weights.has(k));
  if (keys.length > 1) {
    throw new UserError(
      `${weights.info(keys[0]).file}: weight "${name}" has both ${keys.join(' and ')}; bitsandbytes saves one`,
    );
  }
  return keys[0];
}

/** Whether `key` is one of the tensors bitsandbytes saves beside weight `name`. */
export function isBnbComponent(key: string, name: string): boolean {
  const rest = key.startsWith(`${name}.`) ? key.slice(name.length + 1) : undefined;
  return (
    rest !== undefined &&
    ((COMPONENTS as readonly string[]).includes(rest) || /^quant_state\.bitsandbytes__/.test(rest))
  );
}

/** The quant_state packed in tensor `key`, checked (its key names its quant_type). */
export async function readQuantState(weights: ModelWeights, key: string): Promise<QuantState> {
  const where = `${weights.info(key).file}: tensor "${key}"`;
  const t = await weights.read(key);
  if (t.dtype !== 'u8' || t.shape.length !== 1) {
    throw new UserError(`${where} is ${t.dtype}[${t.shape}], expected a u8 vector (JSON)`);
  }
  const state = unpackQuantState(t.data as Uint8Array, where);
  if (!key.endsWith(`__${state.quant_type}`)) {
    throw new UserError(`${where}: its JSON says quant_type '${state.quant_type}'`);
  }
  return state;
}

/**
 * Reads 4-bit weight `name` from `weights` as bitsandbytes' `QuantState.from_dict` does, checking
 * every component's dtype and shape against the quant_state; a malformed one is a UserError
 * naming the file and tensor.
 */
export async function readBnbWeight(weights: ModelWeights, name: string): Promise<BnbWeight> {
  const stateKey = quantStateKeyOf(weights, name);
  if (!stateKey) {
    throw new UserError(
      `${weights.info(name).file}: weight "${name}" has no ${name}.quant_state.bitsandbytes__nf4 or __fp4 tensor`,
    );
  }
  const fileOf = (key: string) => weights.info(weights.has(key) ? key : stateKey).file;
  const where = (key: string) => `${fileOf(key)}: tensor "${key}"`;
  const read = async (key: string, dtype: 'f32' | 'u8', length: number) => {
    if (!weights.has(key)) {
      throw new UserError(`${fileOf(key)}: 4-bit weight "${name}" has no "${key}"`);
    }
    const t = await weights.read(key);
    if (t.dtype !== dtype || t.shape.length !== 1 || t.shape[0] !== length) {
      throw new UserError(
        `${where(key)} is ${t.dtype}[${t.shape}], expected ${dtype}[${length}] (from its quant_state)`,
      );
    }
    return t.data as Float32Array | Uint8Array;
  };
  const state = await readQuantState(weights, stateKey);
  const numel = state.shape.reduce((a, b) => a * b, 1);
  const blocks = Math.ceil(numel / state.blocksize);
  const packed = await readPacked(weights, name, numel, where(name));
  const nested = state.nested_offset !== undefined;
  const absmaxValues = await read(`${name}.absmax`, nested ? 'u8' : 'f32', blocks);
  const absmax: Float32Array | NestedAbsmax = nested
    ? {
        quantized: absmaxValues as Uint8Array,
        absmax: (await read(
          `${name}.nested_absmax`,
          'f32',
          Math.ceil(blocks / NESTED_BLOCKSIZE),
        )) as Float32Array,
        code: (await read(`${name}.nested_quant_map`, 'f32', 256)) as Float32Array,
        blocksize: NESTED_BLOCKSIZE,
        offset: state.nested_offset as number,
      }
    : (absmaxValues as Float32Array);
  const quant_map = (await read(`${name}.quant_map`, 'f32', 16)) as Float32Array;
  const { quant_type, blocksize, shape, dtype } = state;
  return { quantized: { quant_type, blocksize, numel, packed, quant_map, absmax }, shape, dtype };
}

/**
 * The packed bytes of weight `name`: [bytes / itemsize, 1] in any storage dtype bitsandbytes may
 * view them as (`bnb_4bit_quant_storage`: uint8 by default, float16, bfloat16, float32).
 */
async function readPacked(
  weights: ModelWeights,
  name: string,
  numel: number,
  where: string,
): Promise<Uint8Array> {
  if (!weights.has(name)) {
    throw new UserError(`${where}: missing (its quant_state is there, the packed weight is not)`);
  }
  const info = weights.info(name);
  const want = Math.ceil(numel / 2);
  const bytes = info.end - info.begin;
  if (!['U8', 'F16', 'BF16', 'F32'].includes(info.dtype)) {
    throw new UserError(
      `${where} is stored as ${info.dtype}; tunekit reads packed 4-bit weights stored as U8, F16, BF16 or F32`,
    );
  }
  if (info.shape.length !== 2 || info.shape[1] !== 1 || bytes !== want) {
    throw new UserError(
      `${where} is ${info.dtype}[${info.shape}] (${bytes} bytes); a 4-bit weight of ${numel} values is ${want} bytes of shape [n, 1]`,
    );
  }
  const data = (await weights.read(name)).data;
  const itemsize = SAFETENSORS_DTYPES[info.dtype].bytes;
  return new Uint8Array(data.buffer, data.byteOffset, data.length * itemsize);
}
