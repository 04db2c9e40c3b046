import {
  type Backend,
  type CausalLM,
  type DeviceTensor,
  type Executable,
  GraphBuilder,
  HostTensor,
  TraceContext,
  UserError,
} from '@tunekit/core';

/**
 * A model's mean-pooled final hidden states (the LM head's input) of token rows, computed on a
 * backend: what the router's classifier reads. Rows are right-padded to a multiple of `bucket` in
 * batches of `batch`, so few graphs compile; causal attention keeps the pads out of the real tokens'
 * states, and the mean is taken over each row's own tokens. Trace it with the adapters disabled to
 * read the base model: the first call per shape traces the model as it is then.
 */
export class PooledHiddenStates {
  private readonly executables = new Map<string, Executable>();
  private readonly weights = new Map<string, DeviceTensor>();

  constructor(
    private readonly model: CausalLM,
    private readonly backend: Backend,
    private readonly opts: { readonly batch?: number; readonly bucket?: number } = {},
  ) {}

  /** One vector [hidden_size] per row (rows longer than the model's positions are cut). */
  async pool(rows: readonly (readonly number[])[]): Promise<Float64Array[]> {
    const batch = this.opts.batch ?? 8;
    const out: Float64Array[] = [];
    for (let i = 0; i < rows.length; i += batch)
      out.push(...(await this.poolBatch(rows.slice(i, i + batch), batch)));
    return out;
  }

  dispose(): void {
    for (const e of this.executables.values()) e.dispose();
    this.executables.clear();
  }

  private async poolBatch(
    rows: readonly (readonly number[])[],
    batch: number,
  ): Promise<Float64Array[]> {
    const { maxPositions } = this.model.shape;
    const cut = rows.map((r) => {
      if (r.length === 0)
        throw new UserError('router: a message with no tokens cannot be classified');
      return r.slice(0, maxPositions);
    });
    const bucket = this.opts.bucket ?? 16;
    const longest = Math.max(...cut.map((r) => r.length));
    const seq = Math.min(Math.ceil(longest / bucket) * bucket, maxPositions);
    const ids = new Array<number>(batch * seq).fill(0);
    for (const [b, r] of cut.entries()) ids.splice(b * seq, r.length, ...r);
    const positions = Array.from({ length: batch * seq }, (_, k) => k % seq);
    const executable = this.executable(batch, seq);
    const feeds: Record<string, HostTensor | DeviceTensor> = {
      input_ids: HostTensor.from('i32', [batch, seq], ids),
      position_ids: HostTensor.from('i32', [batch, seq], positions),
    };
    for (const input of executable.graph.inputs) {
      const w = this.weights.get(input.name);
      if (w) feeds[input.name] = w;
    }
    const hidden = (await executable.run(feeds)).hidden;
    const h = hidden.shape[2];
    const values = hidden.toFloat64();
    return cut.map((r, b) => {
      const mean = new Float64Array(h);
      for (let t = 0; t < r.length; t++)
        for (let k = 0; k < h; k++) mean[k] += values[(b * seq + t) * h + k] / r.length;
      return mean;
    });
  }

  private executable(batch: number, seq: number): Executable {
    const key = `${batch}x${seq}`;
    let e = this.executables.get(key);
    if (e) return e;
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, this.model);
    const { head } = this.model.forward(ctx, {
      input_ids: b.input('input_ids', [batch, seq], 'i32'),
      position_ids: b.input('position_ids', [batch, seq], 'i32'),
    });
    if (!head)
      throw new UserError(`${this.model.constructor.name} gives no hidden states to route by`);
    for (const [name, value] of Object.entries(ctx.weights()))
      if (!this.weights.has(name)) this.weights.set(name, this.backend.upload(value));
    e = this.backend.compile(b.build({ hidden: head.hidden }));
    this.executables.set(key, e);
    return e;
  }
}
