import type { Backend, DeviceTensor, Executable, Feed } from '../backend/index.js';
import { UserError } from '../errors/index.js';
import { type CausalLM, prefixLengthOf } from '../models/index.js';
import { HostTensor } from '../tensor/index.js';
import {
  eosIds,
  type GenerationConfig,
  type ResolvedGenerationConfig,
  resolveGenerationConfig,
  stopStrings,
} from './generation-config.js';
import { type GeneratedRow, GenerationRow } from './generation-row.js';
import { inputIds, LeftPaddedBatch } from './left-padding.js';
import { logitsProcessors } from './logits-processors.js';
import { TokenSelector } from './sampling.js';
import { cacheInputNames, traceStepGraph } from './step-graph.js';

export interface GeneratorOptions {
  /**
   * Slots of the KV cache: each batch's padded prompt width plus max_new_tokens must fit, so every
   * prompt's length plus max_new_tokens must be at most this.
   */
  readonly maxLength: number;
  /** Padded prompt widths are rounded up to a multiple of this, so few prefill graphs compile. */
  readonly promptBucket?: number;
  /**
   * Names the model's current configuration when it changes between calls (the active adapters, as
   * a router switches them): graphs are compiled and kept per name. Default: one configuration.
   */
  readonly variant?: () => string;
}

export interface GenerateOptions {
  /** Seeds sampling: the same seed gives the same tokens. Default: a random seed. */
  readonly seed?: number;
  /** Token ids to text: needed for stop_strings; with it each row's text is returned too. */
  readonly decode?: (ids: readonly number[]) => string;
  /** Called with each new token as it is produced, row by row within a step. */
  readonly onToken?: (row: number, tokenId: number) => void;
  /**
   * Called at each step with each unfinished row's raw logits [vocab], before any processing
   * (transformers' `output_logits`).
   */
  readonly onLogits?: (row: number, logits: Float64Array) => void;
  /**
   * false: recompute the whole sequence at every step instead of keeping a KV cache (slow; it
   * exists to check the cached path). Default true.
   */
  readonly useCache?: boolean;
  /**
   * Graph inputs the model's graphs take besides tokens and weights, fed at every step: the row
   * masks of adapters applied per row (`PeftModel.setAdapterPerRow`), f32 [prompts].
   */
  readonly inputs?: Readonly<Record<string, HostTensor>>;
}

/**
 * Batched autoregressive generation on a backend. The model's weights are uploaded once, when the
 * Generator is made. Each step is one run of a compiled graph that returns only the last
 * position's logits; with the KV cache (the default) a prefill graph per (batch size, padded prompt
 * width) and a one-token decode graph per batch size are compiled once and reused, and the caches
 * [B, Hkv, N + maxLength, D] stay on the device, updated in place. Prompts of different lengths are
 * left-padded; the logits are processed and tokens picked on the host, as transformers does. With a
 * prefix-family adapter active (prefix tuning, prompt tuning), the prefill writes its N tokens'
 * keys and values into the cache's first slots, once, and every step attends to them.
 */
export class Generator {
  private readonly weights = new Map<string, DeviceTensor>();
  private readonly executables = new Map<string, Executable>();
  /** Per batch size and cache length, the cache tensors by input name (their content between calls is never read). */
  private readonly caches = new Map<string, Map<string, DeviceTensor>>();
  private readonly maxLength: number;
  private readonly promptBucket: number;
  private readonly variant: () => string;
  private running = false;

  constructor(
    private readonly model: CausalLM,
    private readonly backend: Backend,
    opts: GeneratorOptions,
  ) {
    const { maxLength, promptBucket = 16 } = opts;
    if (!Number.isInteger(maxLength) || maxLength < 2)
      throw new UserError(`Generator: maxLength must be an integer >= 2, got ${maxLength}`);
    if (!Number.isInteger(promptBucket) || promptBucket < 1)
      throw new UserError(
        `Generator: promptBucket must be a positive integer, got ${promptBucket}`,
      );
    this.maxLength = maxLength;
    this.promptBucket = promptBucket;
    this.variant = opts.variant ?? (() => '');
    this.reloadWeights();
  }

  /**
   * Uploads the model's current parameter values, for the generations that follow: a trainer that
   * samples after every few steps keeps one Generator, and its compiled graphs, for the whole run.
   */
  reloadWeights(): void {
    if (this.running)
      throw new UserError('Generator: a generate() call is still running; await it first');
    for (const [name, p] of this.model.namedParameters())
      this.weights.set(name, this.backend.upload(p.value));
  }

  /**
   * Continues each prompt (token ids). `config` takes transformers' generation settings
   * (max_new_tokens, do_sample, temperature, top_k, top_p, repetition_penalty, eos_token_id,
   * pad_token_id, stop_strings) with their defaults. Returns one result per prompt, in order.
   */
  async generate(
    prompts: readonly (readonly number[])[],
    config: GenerationConfig = {},
    opts: GenerateOptions = {},
  ): Promise<GeneratedRow[]> {
    // the caches of a batch size are shared by all calls: two generations must not interleave
    if (this.running)
      throw new UserError('Generator: a generate() call is still running; await it first');
    this.running = true;
    try {
      return await this.run(prompts, resolveGenerationConfig(config), opts);
    } finally {
      this.running = false;
    }
  }

  private async run(
    prompts: readonly (readonly number[])[],
    cfg: ResolvedGenerationConfig,
    opts: GenerateOptions,
  ): Promise<GeneratedRow[]> {
    const eos = eosIds(cfg);
    const pad = cfg.pad_token_id ?? [...eos][0] ?? 0;
    const useCache = opts.useCache ?? true;
    // without a cache the model puts its prefix before the tokens itself
    const prefix = useCache ? prefixLengthOf(this.model) : 0;
    this.validate(prompts, cfg, pad, opts, prefixLengthOf(this.model));
    const rule = {
      maxNewTokens: cfg.max_new_tokens,
      eos,
      stopStrings: stopStrings(cfg),
      decode: opts.decode,
    };
    const rows = prompts.map((p) => new GenerationRow(p, rule));
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
    const selector = new TokenSelector(cfg, logitsProcessors(cfg), prompts.length, seed);
    const width = this.paddedWidth(prompts, cfg.max_new_tokens);
    const batch = new LeftPaddedBatch(
      prompts.map((p) => p.length),
      width,
      prefix,
    );
    // each row's token at every slot so far: pads, prompt, then new tokens (pad once finished)
    const slots = prompts.map((p, b) => [...new Array(batch.pads[b]).fill(pad), ...p]);
    const vocab = this.model.shape.vocabSize;

    const extra = opts.inputs ?? {};
    let logits = await this.forward(batch, slots, 0, width, useCache, extra);
    for (;;) {
      const scores = logits.toFloat64();
      rows.forEach((row, b) => {
        const rowScores = scores.slice(b * vocab, (b + 1) * vocab);
        if (!row.finished) opts.onLogits?.(b, rowScores.slice()); // select rewrites rowScores
        const token = row.finished ? pad : selector.select(b, rowScores, row.tokens);
        slots[b].push(token);
        if (row.finished) return;
        row.accept(token);
        opts.onToken?.(b, token);
      });
      if (rows.every((r) => r.finished)) return rows.map((r) => r.result());
      const length = slots[0].length;
      logits = useCache
        ? await this.forward(batch, slots, length - 1, 1, true, extra)
        : await this.forward(batch, slots, 0, length, false, extra);
    }
  }

  /** Frees the compiled graphs; the device tensors go with the backend's dispose(). */
  dispose(): void {
    for (const e of this.executables.values()) e.dispose();
    this.executables.clear();
  }

  private validate(
    prompts: readonly (readonly number[])[],
    cfg: ResolvedGenerationConfig,
    pad: number,
    opts: GenerateOptions,
    prefix: number,
  ): void {
    const { vocabSize, maxPositions } = this.model.shape;
    const m = cfg.max_new_tokens;
    if (prompts.length === 0) throw new UserError('generate: no prompts given');
    if (cfg.stop_strings !== undefined && !opts.decode)
      throw new UserError('generate: stop_strings need a decode(ids) function to read the text');
    if (pad >= vocabSize)
      throw new UserError(`generate: pad_token_id ${pad} is outside the vocabulary (${vocabSize})`);
    prompts.forEach((p, b) => {
      if (p.length === 0)
        throw new UserError(
          `generate: prompt ${b} is empty; it needs at least one token (e.g. BOS)`,
        );
      const bad = p.find((t) => !Number.isInteger(t) || t < 0 || t >= vocabSize);
      if (bad !== undefined)
        throw new UserError(
          `generate: prompt ${b} has token id ${bad}, outside the vocabulary [0, ${vocabSize})`,
        );
      const total = `prompt ${b} has ${p.length} tokens; with max_new_tokens ${m} that is ${p.length + m}`;
      if (p.length + m > this.maxLength)
        throw new UserError(
          `generate: ${total}, more than the Generator's maxLength ${this.maxLength}`,
        );
      if (prefix + p.length + m > maxPositions)
        throw new UserError(
          `generate: ${total}${prefix > 0 ? ` after the adapter's ${prefix} prefix tokens` : ''}, more than the model's ${maxPositions} positions (max_position_embeddings)`,
        );
    });
  }

  /** The longest prompt rounded up to the bucket, if the new tokens still fit after it. */
  private paddedWidth(prompts: readonly (readonly number[])[], maxNewTokens: number): number {
    const longest = Math.max(...prompts.map((p) => p.length));
    const bucketed = Math.ceil(longest / this.promptBucket) * this.promptBucket;
    return Math.min(bucketed, this.maxLength - maxNewTokens);
  }

  /** Runs slots start..start+tokens-1 of every row; returns the last position's logits [B, vocab]. */
  private async forward(
    batch: LeftPaddedBatch,
    slots: readonly (readonly number[])[],
    start: number,
    tokens: number,
    useCache: boolean,
    extra: Readonly<Record<string, HostTensor>>,
  ): Promise<HostTensor> {
    const cacheLength = batch.prefix + this.maxLength;
    const keys = useCache ? cacheLength : tokens;
    const feeds: Record<string, Feed> = {
      input_ids: inputIds(slots, start, tokens),
      position_ids: batch.positionIds(start, tokens),
      attention_mask: batch.attentionMask(start, tokens, keys),
    };
    if (useCache) {
      feeds.cache_position = HostTensor.from(
        'i32',
        [tokens],
        Array.from({ length: tokens }, (_, i) => batch.prefix + start + i),
      );
      for (const [name, t] of this.cacheFor(batch.rows, cacheLength)) feeds[name] = t;
    }
    // the prefill (start 0) writes the prefix into the cache; later steps find it there
    const primePrefix = useCache && start === 0 && batch.prefix > 0;
    const executable = this.executable(batch.rows, tokens, useCache && cacheLength, primePrefix);
    for (const input of executable.graph.inputs) {
      const w = this.weights.get(input.name) ?? extra[input.name];
      if (w) feeds[input.name] = w;
    }
    const out = await executable.run(feeds);
    return out.logits;
  }

  /** The step graph of `tokens` tokens, over a cache of `cacheLength` slots (false: none). */
  private executable(
    batch: number,
    tokens: number,
    cacheLength: number | false,
    primePrefix: boolean,
  ): Executable {
    const key = `${this.variant()}:${batch}x${tokens}${cacheLength ? `+cache${cacheLength}` : ''}${primePrefix ? '+prefix' : ''}`;
    let e = this.executables.get(key);
    if (!e) {
      const graph = traceStepGraph(this.model, batch, tokens, cacheLength || undefined, {
        primePrefix,
      });
      e = this.backend.compile(graph);
      this.executables.set(key, e);
    }
    return e;
  }

  private cacheFor(batch: number, length: number): Map<string, DeviceTensor> {
    const key = `${batch}x${length}`;
    let cache = this.caches.get(key);
    if (!cache) {
      const { numLayers, numKeyValueHeads, headDim } = this.model.shape;
      const zeros = HostTensor.zeros('f32', [batch, numKeyValueHeads, length, headDim]);
      cache = new Map();
      for (let i = 0; i < numLayers; i++) {
        const names = cacheInputNames(i);
        cache.set(names.key, this.backend.upload(zeros));
        cache.set(names.value, this.backend.upload(zeros));
      }
      this.caches.set(key, cache);
    }
    return cache;
  }
}
