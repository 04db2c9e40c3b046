import {
  CODE_4BIT,
  DYNAMIC_MAP_SIGNED,
  type Quantized4bit,
  quantizeBlockwise8bit,
  torchMeanF32,
} from '@tunekit/peft-qlora';

/** Root mean square of the 16 NF4 levels: the standard deviation of a weight of uniform codes. */
const NF4_RMS = Math.sqrt(CODE_4BIT.nf4.reduce((s, v) => s + v * v, 0) / 16);

/**
 * A random weight drawn straight in NF4 with double quantization (blocksize 64), never in f32:
 * uniform codes, and block absmax values within 5% of the scale that gives standard deviation
 * `std`. Drawing codes instead of quantizing drawn values keeps a 7B model's set-up to seconds.
 */
export function randomNf4(numel: number, std: number, random: () => number): Quantized4bit {
  const packed = new Uint8Array(Math.ceil(numel / 2));
  for (let i = 0; i < packed.length; i += 4) {
    const word = (random() * 4294967296) >>> 0;
    for (let k = 0; k < 4 && i + k < packed.length; k++) packed[i + k] = (word >>> (8 * k)) & 0xff;
  }
  const blocksize = 64;
  const absmax = new Float32Array(Math.ceil(numel / blocksize));
  const scale = std / NF4_RMS;
  for (let b = 0; b < absmax.length; b++) absmax[b] = scale * (1 - 0.05 * random());
  const offset = torchMeanF32(absmax);
  const nested = quantizeBlockwise8bit(
    absmax.map((a) => a - offset),
    { blocksize: 256, code: DYNAMIC_MAP_SIGNED },
  );
  return {
    quant_type: 'nf4',
    blocksize,
    numel,
    packed,
    quant_map: CODE_4BIT.nf4,
    absmax: { ...nested, offset },
  };
}
