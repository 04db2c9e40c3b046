import {
  HostTensor,
  ops,
  Parameter,
  type StoresCheckpointTensors,
  type Tensor,
  type TraceContext,
  UnaryModule,
  UserError,
} from '@tunekit/core';
import type { QuantType } from '../quant/code-4bit.js';
import { dequantize4bit, type Quantized4bit, quantize4bit } from '../quant/quantize-4bit.js';

/** How a Linear4bit quantizes its weight, in bitsandbytes' words. */
export interface Linear4bitSettings {
  readonly quant_type: QuantType;
  /** Values per absmax block; 64, as transformers always uses. */
  readonly blocksize: number;
  /** Double quantization of the absmax values (8-bit codes in blocks of 256 around their mean). */
  readonly compress_statistics: boolean;
}

/** bitsandbytes' block size of the double-quantized absmax values. */
const NESTED_BLOCKSIZE = 256;

/**
 * bitsandbytes' `Linear4bit`: a torch.nn.Linear (y = x W^T + b, W [out, in]) whose frozen weight is
 * stored packed, two 4-bit codes a byte, with its quantization constants beside it under
 * transformers' keys: `weight` (u8 [n/2, 1]), `weight.absmax`, `weight.quant_map` and, with double
 * quantization, `weight.nested_absmax`, `weight.nested_quant_map` and `weight.nested_offset` (a
 * scalar here; bitsandbytes keeps it in its quant_state JSON). The forward dequantizes the weight
 * in the graph right before its matmul (core's `dequantize_4bit`) and the backward does so again,
 * so the f32 weight exists one layer at a time. Given a full-precision checkpoint weight it quantizes it as it loads.
 */
export class Linear4bit extends UnaryModule implements StoresCheckpointTensors {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly hasBias: boolean,
    readonly settings: Linear4bitSettings,
  ) {
    super();
    const n = inFeatures * outFeatures;
    const blocks = Math.ceil(n / settings.blocksize);
    this.addParameter('weight', Parameter.zeros([Math.ceil(n / 2), 1], 'u8'));
    if (settings.compress_statistics) {
      this.addParameter('weight.absmax', Parameter.zeros([blocks], 'u8'));
      this.addParameter(
        'weight.nested_absmax',
        Parameter.zeros([Math.ceil(blocks / NESTED_BLOCKSIZE)]),
      );
      this.addParameter('weight.nested_quant_map', Parameter.zeros([256]));
      this.addParameter('weight.nested_offset', Parameter.zeros([]));
    } else {
      this.addParameter('weight.absmax', Parameter.zeros([blocks]));
    }
    this.addParameter('weight.quant_map', Parameter.zeros([16]));
    if (hasBias) this.addParameter('bias', Parameter.zeros([outFeatures]));
  }

  /**
   * A Linear4bit holding weights quantized elsewhere (a pre-quantized bitsandbytes folder): `q` is
   * the weight [outFeatures, inFeatures] flattened, as `quantize4bit` returns it.
   */
  static fromQuantized(
    q: Quantized4bit,
    shape: { readonly inFeatures: number; readonly outFeatures: number },
    bias?: HostTensor,
  ): Linear4bit {
    const { inFeatures, outFeatures } = shape;
    if (q.numel !== inFeatures * outFeatures) {
      throw new UserError(
        `a 4-bit weight of ${q.numel} values cannot be a [${outFeatures}, ${inFeatures}] Linear weight`,
      );
    }
    const settings = {
      quant_type: q.quant_type,
      blocksize: q.blocksize,
      compress_statistics: !(q.absmax instanceof Float32Array),
    };
    const layer = new Linear4bit(inFeatures, outFeatures, bias !== undefined, settings);
    layer.setQuantized(q);
    if (bias) layer.loadStateDict(new Map([['bias', bias]]), false);
    return layer;
  }

  /**
   * x W^T + b. The matmul is a checkpointed segment, as bitsandbytes' `MatMul4Bit` keeps only the
   * packed weight for its backward: dx = dy W dequantizes W again there, so no f32 weight lives from
   * the forward to the backward pass.
   */
  forward(ctx: TraceContext, x: Tensor): Tensor {
    const y = ctx.b.checkpoint(() => x.matmul(this.traceWeight(ctx, x).transpose()));
    return this.hasBias ? y.add(ctx.tensor(this.weight('bias'))) : y;
  }

  /**
   * The weight [out, in] in f32, dequantized in the graph (bitsandbytes' `dequantize_4bit`). Given
   * `after` (the matmul's input), the stored tensors pass an optimization barrier on it: their
   * values depend only on graph inputs, so onnxruntime would otherwise dequantize every layer's
   * weight at the start of the step and hold them all (a 7B model's in f32: 26 GB).
   */
  traceWeight(ctx: TraceContext, after?: Tensor): Tensor {
    const p = (name: string) => {
      const t = ctx.tensor(this.weight(name));
      return after ? ops.optimizationBarrier(t, after) : t;
    };
    const absmax = this.settings.compress_statistics
      ? ops
          .dequantizeBlockwise8bit(
            p('weight.absmax'),
            p('weight.nested_absmax'),
            p('weight.nested_quant_map'),
            NESTED_BLOCKSIZE,
          )
          .add(p('weight.nested_offset'))
      : p('weight.absmax');
    return ops.dequantize4bit(p('weight'), absmax, p('weight.quant_map'), {
      blocksize: this.settings.blocksize,
      shape: [this.outFeatures, this.inFeatures],
    });
  }

  /** The stored weight as `quantize4bit` returns it. */
  quantized(): Quantized4bit {
    const value = (name: string) => this.weight(name).value.data;
    const { quant_type, blocksize, compress_statistics } = this.settings;
    const absmax = compress_statistics
      ? {
          quantized: value('weight.absmax') as Uint8Array,
          absmax: value('weight.nested_absmax') as Float32Array,
          blocksize: NESTED_BLOCKSIZE,
          code: value('weight.nested_quant_map') as Float32Array,
          offset: (value('weight.nested_offset') as Float32Array)[0],
        }
      : (value('weight.absmax') as Float32Array);
    return {
      quant_type,
      blocksize,
      numel: this.inFeatures * this.outFeatures,
      packed: value('weight') as Uint8Array,
      quant_map: value('weight.quant_map') as Float32Array,
      absmax,
    };
  }

  /** The weight [out, in] dequantized on the host, as bitsandbytes' `dequantize_4bit` gives it. */
  dequantizedWeight(): HostTensor {
    return new HostTensor(
      'f32',
      [this.outFeatures, this.inFeatures],
      dequantize4bit(this.quantized()),
    );
  }

  /** Quantizes `weight` ([out, in], any float dtype) and stores it (what merging an adapter in does). */
  setWeight(weight: HostTensor): void {
    this.setQuantized(this.quantize(weight));
  }

  /** A full-precision checkpoint `weight` is quantized here, as it streams in; other tensors are kept. */
  storeCheckpointTensor(local: string, tensor: HostTensor): ReadonlyMap<string, HostTensor> {
    if (local !== 'weight') return new Map([[local, tensor]]);
    return this.tensorsOf(this.quantize(tensor));
  }

  private quantize(weight: HostTensor): Quantized4bit {
    const [out, inp] = weight.shape;
    if (weight.shape.length !== 2 || out !== this.outFeatures || inp !== this.inFeatures) {
      throw new UserError(
        `a ${weight.dtype}[${weight.shape}] weight cannot be quantized into a Linear4bit of [${this.outFeatures}, ${this.inFeatures}]`,
      );
    }
    const values =
      weight.data instanceof Float32Array ? weight.data : Float32Array.from(weight.toFloat64());
    return quantize4bit(values, this.settings);
  }

  /**
   * Holds `q`, quantized elsewhere (a folder's tensors, or codes drawn at random), as the weight;
   * its size, code and block layout must be this layer's.
   */
  setQuantized(q: Quantized4bit): void {
    const { quant_type, blocksize, compress_statistics } = this.settings;
    const nested = !(q.absmax instanceof Float32Array);
    if (
      q.numel !== this.outFeatures * this.inFeatures ||
      q.quant_type !== quant_type ||
      q.blocksize !== blocksize ||
      nested !== compress_statistics
    ) {
      throw new UserError(
        `a ${q.quant_type} weight of ${q.numel} values in blocks of ${q.blocksize}${nested ? ' (double quantization)' : ''} does not fit a Linear4bit of [${this.outFeatures}, ${this.inFeatures}], ${quant_type} in blocks of ${blocksize}${compress_statistics ? ' (double quantization)' : ''}`,
      );
    }
    this.loadStateDict(this.tensorsOf(q), false);
  }

  /** `q` under this layer's parameter names (transformers' keys after `weight.`). */
  private tensorsOf(q: Quantized4bit): Map<string, HostTensor> {
    const blocks = Math.ceil(q.numel / q.blocksize);
    const out = new Map<string, HostTensor>([
      ['weight', new HostTensor('u8', [q.packed.length, 1], q.packed)],
      ['weight.quant_map', new HostTensor('f32', [16], Float32Array.from(q.quant_map))],
    ]);
    if (q.absmax instanceof Float32Array) {
      out.set('weight.absmax', new HostTensor('f32', [blocks], q.absmax));
    } else {
      const nested = q.absmax;
      out.set('weight.absmax', new HostTensor('u8', [blocks], nested.quantized));
      out.set('weight.nested_absmax', new HostTensor('f32', [nested.absmax.length], nested.absmax));
      out.set(
        'weight.nested_quant_map',
        new HostTensor('f32', [256], Float32Array.from(nested.code)),
      );
      out.set('weight.nested_offset', HostTensor.scalar('f32', nested.offset));
    }
    return out;
  }
}
