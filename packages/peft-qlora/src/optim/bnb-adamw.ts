import {
  type HostOptimizer,
  type HostOptimizerSlot,
  HostTensor,
  type OptimizerArgs,
  UserError,
} from '@tunekit/core';
import { quantizeBlockwise8bit } from '../quant/blockwise-8bit.js';
import { DYNAMIC_MAP_SIGNED, DYNAMIC_MAP_UNSIGNED } from '../quant/dynamic-map.js';
import {
  adamStep,
  adamUpdate8bit,
  adamUpdate32bit,
  OPTIMIZER_BLOCKSIZE,
} from './bnb-adam-update.js';

export interface BnbAdamWOptions extends OptimizerArgs {
  /** The `optim` name it answers to (`adamw_8bit`, `paged_adamw_8bit`, `paged_adamw_32bit`). */
  readonly id: string;
  /** 8: uint8 states in blocks of 256 (dynamic maps); 32: f32 states. */
  readonly optimBits: 8 | 32;
  /** A parameter with fewer values keeps f32 states (bitsandbytes' `min_8bit_size`, 4096). */
  readonly min8bitSize?: number;
  /** Values updated at a time; the only full-precision temporaries are two arrays this long. */
  readonly chunkSize?: number;
}

type ParamState =
  | { readonly bits: 32; readonly state1: Float32Array; readonly state2: Float32Array }
  | {
      readonly bits: 8;
      readonly state1: Uint8Array;
      readonly state2: Uint8Array;
      readonly absmax1: Float32Array;
      readonly absmax2: Float32Array;
    };

/**
 * bitsandbytes' AdamW (`Optimizer2State('adam')`) on the host, as its CPU kernels compute it
 * (backends/cpu/ops.py `_optimizer_update_32bit_cpu`, `_optimizer_update_8bit_blockwise_cpu`): f32
 * arithmetic with torch's fused multiply-adds, weight decay p *= 1 - lr*wd before the Adam step.
 * 8-bit states are exp_avg in the signed and exp_avg_sq in the unsigned dynamic map, absmax per block of
 * 256; each chunk is dequantized, updated and quantized again, so no full-size f32 copy of a state exists.
 */
export function bnbAdamW(options: BnbAdamWOptions): HostOptimizer {
  const { id, optimBits, betas, eps, min8bitSize = 4096 } = options;
  const chunkSize = options.chunkSize ?? 64 * OPTIMIZER_BLOCKSIZE;
  if (chunkSize <= 0 || chunkSize % OPTIMIZER_BLOCKSIZE !== 0)
    throw new UserError(`${id}: chunkSize must be a positive multiple of 256, got ${chunkSize}`);
  const states = new Map<string, ParamState>();
  const scratch1 = new Float32Array(chunkSize);
  const scratch2 = new Float32Array(chunkSize);

  const stateFor = ({ name, param }: HostOptimizerSlot): ParamState => {
    let s = states.get(name);
    if (!s) {
      s = freshState(param.length, optimBits === 8 && param.length >= min8bitSize);
      states.set(name, s);
    }
    if (s.state1.length !== param.length)
      throw new UserError(
        `${id}: the state of '${name}' holds ${s.state1.length} values, the parameter ${param.length}`,
      );
    return s;
  };

  return {
    id,
    placement: 'host',
    step(slots, step) {
      for (const slot of slots) {
        const { name, param, grad } = slot;
        const k = adamStep(betas, eps, step, slot.lr, slot.weightDecay);
        const s = stateFor(slot);
        if (s.bits === 32) {
          adamUpdate32bit(param, grad, s.state1, s.state2, k);
          continue;
        }
        for (let start = 0; start < param.length; start += chunkSize) {
          const n = Math.min(chunkSize, param.length - start);
          const m = scratch1.subarray(0, n);
          const v = scratch2.subarray(0, n);
          adamUpdate8bit(param, grad, s, start, m, v, k);
          if (!allFinite(m) || !allFinite(v))
            throw new UserError(
              `${id}: the update of '${name}' at step ${step} is not finite (a NaN or infinite gradient)`,
            );
          requantize(m, DYNAMIC_MAP_SIGNED, s.state1, s.absmax1, start);
          requantize(v, DYNAMIC_MAP_UNSIGNED, s.state2, s.absmax2, start);
        }
      }
    },
    stateDict() {
      const out: Record<string, HostTensor> = {};
      for (const [name, s] of states) {
        const n = s.state1.length;
        if (s.bits === 32) {
          out[`${name}.state1`] = new HostTensor('f32', [n], s.state1.slice());
          out[`${name}.state2`] = new HostTensor('f32', [n], s.state2.slice());
        } else {
          out[`${name}.state1`] = new HostTensor('u8', [n], s.state1.slice());
          out[`${name}.state2`] = new HostTensor('u8', [n], s.state2.slice());
          out[`${name}.absmax1`] = new HostTensor('f32', [s.absmax1.length], s.absmax1.slice());
          out[`${name}.absmax2`] = new HostTensor('f32', [s.absmax2.length], s.absmax2.slice());
        }
      }
      return out;
    },
    loadStateDict(saved) {
      states.clear();
      for (const key of Object.keys(saved)) {
        if (!key.endsWith('.state1')) continue;
        const name = key.slice(0, -'.state1'.length);
        states.set(name, restoredState(id, name, saved));
      }
    },
  };
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function freshState(n: number, eightBit: boolean): ParamState {
  if (!eightBit) return { bits: 32, state1: new Float32Array(n), state2: new Float32Array(n) };
  const blocks = Math.ceil(n / OPTIMIZER_BLOCKSIZE);
  return {
    bits: 8,
    state1: new Uint8Array(n),
    state2: new Uint8Array(n),
    absmax1: new Float32Array(blocks),
    absmax2: new Float32Array(blocks),
  };
}

/** quantize_blockwise of one chunk (whole blocks of 256 from `start`) into the state's codes and absmax. */
function requantize(
  values: Float32Array,
  code: Float32Array,
  codes: Uint8Array,
  absmax: Float32Array,
  start: number,
): void {
  const q = quantizeBlockwise8bit(values, { blocksize: OPTIMIZER_BLOCKSIZE, code });
  codes.set(q.quantized, start);
  absmax.set(q.absmax, start / OPTIMIZER_BLOCKSIZE);
}

function restoredState(
  id: string,
  name: string,
  saved: Readonly<Record<string, HostTensor>>,
): ParamState {
  const part = (suffix: string, dtype: 'f32' | 'u8') => {
    const t = saved[`${name}.${suffix}`];
    if (!t || t.dtype !== dtype)
      throw new UserError(
        `${id}: the saved optimizer state has no ${dtype} '${name}.${suffix}' (was it written by another optim?)`,
      );
    return t.data as ArrayLike<number>;
  };
  if (saved[`${name}.state1`].dtype === 'f32')
    return {
      bits: 32,
      state1: Float32Array.from(part('state1', 'f32')),
      state2: Float32Array.from(part('state2', 'f32')),
    };
  return {
    bits: 8,
    state1: Uint8Array.from(part('state1', 'u8')),
    state2: Uint8Array.from(part('state2', 'u8')),
    absmax1: Float32Array.from(part('absmax1', 'f32')),
    absmax2: Float32Array.from(part('absmax2', 'f32')),
  };
}
