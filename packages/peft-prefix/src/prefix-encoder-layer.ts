import {
  AdapterLayer,
  type HostTensor,
  type LayerCache,
  type Module,
  type Parameter,
  PREFIX_KEY_VALUES,
  type PrefixKeyValues,
  type Tensor,
  type TraceContext,
  UserError,
} from '@tunekit/core';
import type { PrefixEncoder } from './prefix-encoder.js';

/** Where the prefix encoders live in the model tree: `prefix_encoder.<adapter>.embedding.weight`. */
export const PREFIX_ENCODER = 'prefix_encoder';

/** How an encoder's rows split into heads: PEFT's `num_attention_heads` and `token_dim // heads`. */
export interface PrefixHeads {
  readonly numLayers: number;
  readonly heads: number;
  readonly headDim: number;
}

/**
 * PEFT's prefix encoders as an adapter layer added to the model: one `PrefixEncoder` per adapter
 * name, of which the active one gives every attention layer its prefix keys and values (core's
 * `PrefixKeyValues`). It replaces no module, so unloading removes it, and it has nothing to merge.
 */
export class PrefixEncoderLayer extends AdapterLayer implements PrefixKeyValues {
  readonly [PREFIX_KEY_VALUES] = true as const;
  readonly method = 'prefix_tuning';
  private readonly encoders = new Map<string, { encoder: PrefixEncoder; heads: PrefixHeads }>();

  /** The model's prefix encoder layer, added at `prefix_encoder` the first time. */
  static of(model: Module): PrefixEncoderLayer {
    const existing = model.namedModules().find(([path]) => path === PREFIX_ENCODER)?.[1];
    if (existing instanceof PrefixEncoderLayer) return existing;
    if (existing) throw new UserError(`the model has a module '${PREFIX_ENCODER}' already`);
    const layer = new PrefixEncoderLayer();
    model.attachModule(PREFIX_ENCODER, layer);
    return layer;
  }

  add(name: string, encoder: PrefixEncoder, heads: PrefixHeads): void {
    if (this.encoders.has(name)) throw new UserError(`adapter '${name}' exists already`);
    this.encoders.set(name, { encoder: this.addModule(name, encoder), heads });
  }

  numPrefixTokens(): number {
    return this.activeEncoder()?.encoder.numVirtualTokens ?? 0;
  }

  /**
   * PEFT's `get_prompt` for prefix tuning: the rows [N, L * 2 * H * D] viewed as [N, L * 2, H, D]
   * and permuted to [L * 2, H, N, D]; layer i's keys are entry 2i, its values 2i + 1, the same for
   * every row of the batch.
   */
  prefixKeyValues(ctx: TraceContext, batch: number): LayerCache[] {
    const active = this.activeEncoder();
    if (!active) throw new Error('no active prefix encoder');
    const { encoder, heads } = active;
    const { numLayers, heads: h, headDim: d } = heads;
    const n = encoder.numVirtualTokens;
    const table = encoder
      .forward(ctx)
      .reshape([n, numLayers * 2, h, d])
      .transpose([1, 2, 0, 3]);
    const entry = (i: number): Tensor => table.narrow(0, i, i + 1).broadcastTo([batch, h, n, d]);
    return Array.from({ length: numLayers }, (_, i) => ({
      key: entry(2 * i),
      value: entry(2 * i + 1),
    }));
  }

  /** The active adapter's prefix rows [N, L * 2 * H * D]; the causal LM reads prefixKeyValues. */
  forward(ctx: TraceContext): Tensor {
    const active = this.activeEncoder();
    if (!active) throw new Error('no active prefix encoder');
    return active.encoder.forward(ctx);
  }

  adapterNames(): string[] {
    return [...this.encoders.keys()];
  }

  adapterState(name: string): [string, Parameter][] {
    return this.encoders.get(name)?.encoder.namedParameters() ?? [];
  }

  /** What PEFT saves: the table itself, the projection's output when it is on (see PrefixEncoder). */
  override async savedAdapterState(name: string): Promise<[string, HostTensor][]> {
    const found = this.encoders.get(name);
    return found ? [['embedding.weight', await found.encoder.table()]] : [];
  }

  deleteAdapter(name: string): void {
    if (!this.encoders.delete(name)) return;
    this.detachModule(name);
  }

  merge(names: readonly string[]): void {
    if (names.some((name) => this.encoders.has(name)))
      throw new UserError(
        'prefix_tuning adds learned keys and values to attention and changes no weight: there is nothing to merge',
      );
  }

  unmerge(): void {}

  mergedAdapters(): readonly string[] {
    return [];
  }

  baseLayer(): undefined {
    return undefined;
  }

  /** The encoder forward uses: the first active adapter this layer holds, none while disabled. */
  private activeEncoder() {
    if (!this.enabled) return undefined;
    const name = this.activeAdapters.find((n) => this.encoders.has(n));
    return name === undefined ? undefined : this.encoders.get(name);
  }
}
