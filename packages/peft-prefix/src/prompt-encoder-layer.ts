import {
  AdapterLayer,
  type Module,
  type Parameter,
  type Tensor,
  type TraceContext,
  UserError,
  VIRTUAL_TOKENS,
  type VirtualTokens,
} from '@tunekit/core';
import type { PromptEmbedding } from './prompt-embedding.js';

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
  private readonly encoders = new Map<string, PromptEmbedding>();

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

  add(name: string, encoder: PromptEmbedding): void {
    if (this.encoders.has(name)) throw new UserError(`adapter '${name}' exists already`);
    this.encoders.set(name, this.addModule(name, encoder));
  }

  numVirtualTokens(): number {
    return this.activeEncoder()?.numVirtualTokens ?? 0;
  }

  /** The active encoder's output for indices 0..N-1 in every row (PEFT's `get_prompt`). */
  virtualTokenEmbeddings(ctx: TraceContext, batch: number): Tensor {
    const encoder = this.activeEncoder();
    if (!encoder) throw new Error('no active prompt encoder');
    const n = encoder.numVirtualTokens;
    return encoder.forward(ctx, ctx.b.arange(n).unsqueeze(0).broadcastTo([batch, n]));
  }

  /** The prompt embeddings of the active adapter for `indices` [B, N]. */
  forward(ctx: TraceContext, indices: Tensor): Tensor {
    const encoder = this.activeEncoder();
    if (!encoder) throw new Error('no active prompt encoder');
    return encoder.forward(ctx, indices);
  }

  adapterNames(): string[] {
    return [...this.encoders.keys()];
  }

  adapterState(name: string): [string, Parameter][] {
    return this.encoders.get(name)?.namedParameters() ?? [];
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
  private activeEncoder(): PromptEmbedding | undefined {
    if (!this.enabled) return undefined;
    const name = this.activeAdapters.find((n) => this.encoders.has(n));
    return name === undefined ? undefined : this.encoders.get(name);
  }
}
