export {
  bf16BitsFromFloat,
  f16BitsFromFloat,
  floatFromBf16Bits,
  floatFromF16Bits,
  roundToBf16,
  roundToF16,
} from './half.js';
export { type HostArray, type HostData, HostTensor } from './host-tensor.js';
export { randomNormal, seededRandom } from './random.js';
