import {
  AdapterLayer,
  type HostTensor,
  type Module,
  type Parameter,
  type Tensor,
  type TraceContext,
  UserError,
  VIRTUAL_TOKENS,
  type VirtualTokens,
} from '@tunekit/core';

/** What a prompt-learning method puts in the prompt encoder for one adapter (PEFT's `BasePromptEncoder`). */
export interface VirtualTokenEncoder extends Module {
  readonly numVirtualTokens: number;
  /** The virtual tokens' embeddings of `indices` [B, N] -> [B, N, token_dim]; dropout only while `training`. */
  encode(ctx: TraceContext, indices: Tensor, training: boolean): Tensor;
  /** What PEFT saves as `prompt_embeddings` when that is not the embedding table itself (P-tuning's head output). */
  savedTable?(): Promise<HostTensor>;
}

/** Where PEFT keeps the prompt encoders: `prompt_encoder.<adapter>.embedding.weight`. */
export const PROMPT_ENCODER = 'prompt_encoder';

/**
 * PEFT's `prompt_encoder` ModuleDict as an adapter layer added to the model: one prompt encoder per
 * adapter name, of which the active one gives the virtual tokens the causal LM puts before the
 * input (core's `VirtualTokens`). It replaces no module, so unloading removes it, and it has
 * nothing to merge.
 */
export class PromptEncoderLayer extends AdapterLayer implements VirtualTokens {
  readonly [VIRTUAL_TOKENS] = true as const;
  private readonly encoders = new Map<string, VirtualTokenEncoder>();

  constructor(readonly method: string) {
    super();
  }

  /** The model's prompt encoder layer, added at `prompt_encoder` the first time. */
  static of(model: Module, method: string): PromptEncoderLayer {
    const existing = model.namedModules().find(([path]) => path === PROMPT_ENCODER)?.[1];
    if (existing instanceof PromptEncoderLayer) return existing;
    if (existing) throw new UserError(`the model has a module '${PROMPT_ENCODER}' already`);
    const layer = new PromptEncoderLayer(method);
    model.attachModule(PROMPT_ENCODER, layer);
    return layer;
  }

  add(name: string, encoder: VirtualTokenEncoder): void {
    if (this.encoders.has(name)) throw new UserError(`adapter '${name}' exists already`);
    this.encoders.set(name, this.addModule(name, encoder));
  }

  numVirtualTokens(): number {
    return this.activeEncoder()?.numVirtualTokens ?? 0;
  }

  /**
   * The active encoder's output for indices 0..N-1, computed for one row and repeated for every row
   * of the batch, as PEFT's `get_prompt` does.
   */
  virtualTokenEmbeddings(ctx: TraceContext, batch: number): Tensor {
    const encoder = this.activeEncoder();
    if (!encoder) throw new Error('no active prompt encoder');
    const n = encoder.numVirtualTokens;
    const row = encoder.encode(ctx, ctx.b.arange(n).unsqueeze(0), this.training);
    return row.broadcastTo([batch, n, row.dim(2)]);
  }

  /** The prompt embeddings of the active adapter for `indices` [B, N]. */
  forward(ctx: TraceContext, indices: Tensor): Tensor {
    const encoder = this.activeEncoder();
    if (!encoder) throw new Error('no active prompt encoder');
    return encoder.encode(ctx, indices, this.training);
  }

  adapterNames(): string[] {
    return [...this.encoders.keys()];
  }

  adapterState(name: string): [string, Parameter][] {
    return this.encoders.get(name)?.namedParameters() ?? [];
  }

  /** What PEFT saves: the embedding table, or P-tuning's encoder output while its head is there. */
  override async savedAdapterState(name: string): Promise<[string, HostTensor][]> {
    const encoder = this.encoders.get(name);
    if (!encoder) return [];
    const table = await encoder.savedTable?.();
    return table
      ? [['embedding.weight', table]]
      : encoder.namedParameters().map(([k, p]) => [k, p.value]);
  }

  deleteAdapter(name: string): void {
    if (!this.encoders.delete(name)) return;
    this.detachModule(name);
  }

  merge(names: readonly string[]): void {
    if (names.some((name) => this.encoders.has(name)))
      throw new UserError(
        `${this.method} adds virtual tokens to the input and changes no weight: there is nothing to merge`,
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
  private activeEncoder(): VirtualTokenEncoder | undefined {
    if (!this.enabled) return undefined;
    const name = this.activeAdapters.find((n) => this.encoders.has(n));
    return name === undefined ? undefined : this.encoders.get(name);
  }
}
