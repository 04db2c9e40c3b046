import * as ort from 'onnxruntime-node';

/** One layer's keys and values as onnxruntime returns them, [B, Hkv, P, D]. */
export interface OrtLayer {
  readonly key: ort.Tensor;
  readonly value: ort.Tensor;
}

export interface OrtStep {
  /** [B, T] token ids. */
  readonly ids: readonly (readonly number[])[];
  /** [B, P + T], 1 = attend; default all ones. */
  readonly mask?: readonly (readonly number[])[];
  /** [B, T]; default P..P+T-1. */
  readonly positions?: readonly (readonly number[])[];
  /** The previous step's `present`; none: P = 0. */
  readonly past?: readonly OrtLayer[];
}

/**
 * An exported causal LM in a plain onnxruntime-node session, fed as transformers.js feeds it: no
 * tunekit code between the file and the runtime.
 */
export class OrtCausalLM {
  private constructor(
    readonly session: ort.InferenceSession,
    private readonly layers: number,
    private readonly kvHeads: number,
    private readonly headDim: number,
  ) {}

  static async open(
    path: string,
    shape: { layers: number; kvHeads: number; headDim: number },
  ): Promise<OrtCausalLM> {
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
    return new OrtCausalLM(session, shape.layers, shape.kvHeads, shape.headDim);
  }

  async step(s: OrtStep): Promise<{ logits: ort.Tensor; present: OrtLayer[] }> {
    const [batch, seq] = [s.ids.length, s.ids[0].length];
    const past = s.past?.[0].key.dims[2] ?? 0;
    const int64 = (rows: readonly (readonly number[])[]) =>
      new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [batch, rows[0].length]);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: int64(s.ids),
      attention_mask: int64(s.mask ?? s.ids.map(() => Array(past + seq).fill(1))),
      position_ids: int64(
        s.positions ?? s.ids.map(() => Array.from({ length: seq }, (_, t) => past + t)),
      ),
    };
    const empty = () =>
      new ort.Tensor('float32', new Float32Array(0), [batch, this.kvHeads, 0, this.headDim]);
    for (let i = 0; i < this.layers; i++) {
      feeds[`past_key_values.${i}.key`] = s.past?.[i].key ?? empty();
      feeds[`past_key_values.${i}.value`] = s.past?.[i].value ?? empty();
    }
    const out = await this.session.run(feeds);
    const present = Array.from({ length: this.layers }, (_, i) => ({
      key: out[`present.${i}.key`],
      value: out[`present.${i}.value`],
    }));
    return { logits: out.logits, present };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** Row `r`, position `t` of logits [B, T, V] (an onnxruntime tensor, or golden values). */
export function logitsAt(
  logits: { readonly dims: readonly number[]; readonly data: unknown },
  r: number,
  t: number,
): Float64Array {
  const [, seq, vocab] = logits.dims;
  const start = (r * seq + t) * vocab;
  const data = logits.data as ArrayLike<number>;
  return Float64Array.from({ length: vocab }, (_, i) => data[start + i]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
