// The contracts plugins fill, kept to what is certain today; the issues that build each area
// (PEFT, data, models, training, metrics) extend them. Every extension point has a unique,
// lowercase `id` that configs use to name it (`peft: { method: lora }`).

import type { EvalOutputs } from './eval-outputs.js';

// The PEFT method contract lives with the rest of PEFT's machinery.
export type { PeftMethod } from '../peft/index.js';

/**
 * `function` is OpenAI's older name for a tool result (the function's name in `name`);
 * `functions` holds tool definitions as JSON text, where firefunction-v1's template reads them.
 */
export type ChatRole = 'system' | 'user' | 'assistant' | 'tool' | 'function' | 'functions';

/** A function call an assistant message makes (OpenAI/HF shape); `arguments` is an object or JSON text. */
export interface ChatToolCall {
  readonly type?: 'function';
  readonly id?: string;
  readonly function: { readonly name: string; readonly arguments: unknown };
}

/** One typed part of a message's content, as OpenAI and HF write it: `{type: 'text', text}`, an image... */
export interface ChatContentPart {
  readonly type: string;
  readonly text?: string;
  readonly [field: string]: unknown;
}

/**
 * A chat message as OpenAI, TRL and HF write it. Jinja templates receive it as given, every
 * field included (as transformers' `apply_chat_template` passes the message dicts); built-in
 * templates read its text (see `messageText` in @tunekit/templates).
 */
export interface ChatMessage {
  readonly role: ChatRole;
  /** Text, null for a message that only calls tools, or typed parts. */
  readonly content: string | null | readonly ChatContentPart[];
  /** Calls an assistant message makes. */
  readonly tool_calls?: readonly ChatToolCall[];
  /** The call a `tool` message answers. */
  readonly tool_call_id?: string;
  /** Who speaks: a participant's name, or the function a `function`/`tool` message answers for. */
  readonly name?: string;
  /** An assistant's reasoning, the field Qwen3 and DeepSeek-R1 templates read. */
  readonly reasoning_content?: string;
  /** Any other field of the message (`thought`...), passed to Jinja templates as it is. */
  readonly [field: string]: unknown;
}

/**
 * A tool the model may call, as a JSON-schema function definition (OpenAI/HF `tools`); other keys
 * (`strict`, `return`...) are kept for the template.
 */
export interface ChatToolDefinition {
  readonly type: 'function';
  readonly function: {
    readonly name: string;
    readonly description?: string;
    /** JSON schema of the arguments. */
    readonly parameters?: Readonly<Record<string, unknown>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** What a template takes from the model's tokenizer_config.json, keys spelled as HF spells them. */
export interface ChatTemplateContext {
  readonly bos_token?: string;
  readonly eos_token?: string;
  readonly pad_token?: string;
  readonly unk_token?: string;
  /** The model's own Jinja template: one string, or named templates (`default`, `tool_use`). */
  readonly chat_template?: string | readonly { readonly name: string; readonly template: string }[];
}

export interface ChatRenderOptions {
  /** Append the header that opens an assistant turn (HF `add_generation_prompt`). */
  readonly addGenerationPrompt?: boolean;
  /** The model's special tokens and chat_template; templates fall back to their own defaults. */
  readonly context?: ChatTemplateContext;
  /** Tools for templates that render them (`supportsTools`). */
  readonly tools?: readonly ChatToolDefinition[];
  /** Extra template variables (the keyword arguments of HF `apply_chat_template`). */
  readonly variables?: Readonly<Record<string, unknown>>;
}

/** Where one message's text sits in the rendered string: `text.slice(start, end)`, UTF-16 offsets. */
export interface ChatSpan {
  readonly role: ChatRole;
  readonly start: number;
  readonly end: number;
}

export interface RenderedChat {
  readonly text: string;
  /** In text order; a message may own several spans, and text between spans belongs to none. */
  readonly spans: readonly ChatSpan[];
}

/** Renders a conversation to the model's prompt format (ChatML, Alpaca, an HF Jinja template). */
export interface ChatTemplate {
  readonly id: string;
  /** One line for listings. */
  readonly description: string;
  /**
   * The HF Jinja `chat_template` that renders exactly as `render` does, written into the
   * tokenizer_config.json of what is trained with it so inference elsewhere formats alike.
   */
  chatTemplate(context?: ChatTemplateContext): string;
  /** True when `render` hands `opts.tools` to the template's own tool support. */
  supportsTools(context?: ChatTemplateContext): boolean;
  /** The spans drive the loss mask: assistant spans (with their end-of-turn token) are supervised. */
  render(messages: readonly ChatMessage[], opts?: ChatRenderOptions): RenderedChat;
  /**
   * The text alone, for inference: what `render` returns as `text`, with no spans looked for, so
   * it never fails for want of them. A template whose spans cost nothing may leave it out
   * (`renderText` in @tunekit/templates falls back to `render`).
   */
  renderText?(messages: readonly ChatMessage[], opts?: ChatRenderOptions): string;
}

/** A model architecture, matched against an HF `config.json`: see models/model-family.ts. */
export type { ModelFamily } from '../models/model-family.js';

/**
 * A shape of dataset record (plain text, Alpaca, messages, ShareGPT...); `R` is what `parse`
 * returns, an `SftRecord` for task `sft`, a `PreferenceRecord` for `preference`.
 */
export interface DatasetFormat<R = unknown> {
  readonly id: string;
  /** One line for listings and errors, e.g. `ShareGPT conversations (from/value)`. */
  readonly description: string;
  /**
   * What the records train, so a trainer can refuse data it cannot use: `sft` records come out
   * of `parse` in a shape a chat template renders (a `messages`, `instruction`,
   * `prompt`/`completion` or `text` record); `preference` records are prompt/chosen/rejected
   * pairs. A plugin may name other tasks for its own trainer.
   */
  readonly task: string;
  /**
   * Auto-detection takes, among the formats whose `detect` matches a file's first record, the
   * one of highest priority (a tie is an error that asks for an explicit format). Shapes with
   * distinctive fields use 10; fallbacks that match many records (plain `text`) use 0.
   */
  readonly priority: number;
  /** True when a parsed JSONL/JSON record has this format's fields. */
  detect(record: unknown): boolean;
  /**
   * Validates one record and returns it in its task's shape. A bad record throws a UserError that
   * starts with `where` (`file:line`) and names the field.
   */
  parse(record: unknown, where: string): R;
}

/** Named scores, e.g. `{ perplexity: 12.3 }`. */
export type MetricValues = Readonly<Record<string, number>>;

/**
 * An evaluation metric: named scores from what an evaluation measured (`EvalOutputs`: token
 * statistics and generated samples); a metric that cannot score an evaluation returns `{}`.
 */
export interface Metric<I = EvalOutputs> {
  readonly id: string;
  compute(input: I): MetricValues | Promise<MetricValues>;
}

/** What a callback sees of the training loop (HF `TrainerState`, trimmed): a snapshot per hook. */
export interface TrainerState {
  /** Optimizer steps taken so far. */
  readonly step: number;
  readonly maxSteps: number;
  /** Fractional epoch, e.g. 1.5 halfway through the second epoch. */
  readonly epoch: number;
  /** Loss of the latest step, when one has run. */
  readonly loss?: number;
  readonly learningRate?: number;
  /** Global gradient norm of the latest step, before clipping. */
  readonly gradNorm?: number;
  /** Token positions fed so far, padding included (HF `num_input_tokens_seen`). */
  readonly numInputTokensSeen: number;
  /** Seconds since training (or the resumed run) began. */
  readonly elapsedSeconds: number;
  /** Where checkpoints and reports go (`output_dir`). */
  readonly outputDir: string;
}

/** A callback's answer, as HF's `TrainerControl` flags; returning nothing changes nothing. */
export interface TrainerControl {
  /** Stop after the current step (early stopping). */
  readonly shouldTrainingStop?: boolean;
}

/** Numbers logged at a step, keyed as HF logs them: loss, learning_rate, grad_norm, epoch, eval_*. */
export type TrainerLogs = Readonly<Record<string, number>>;

/** One prompt with its reference answer and what the model generated, kept for human review. */
export interface GenerationSample {
  readonly prompt: string;
  readonly reference?: string;
  /** What the model generated after the prompt. */
  readonly prediction: string;
}

/** What a hook returns; a promise makes the loop wait. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing (sync or async) must fit
export type CallbackResult = void | TrainerControl | Promise<void | TrainerControl>;

/**
 * Hooks into the training loop (HF `TrainerCallback`); every hook is optional and callbacks run in
 * registration order. Eval metrics carry HF's `eval_` prefix (`eval_loss`).
 */
export interface TrainerCallback {
  readonly id: string;
  onTrainBegin?(state: TrainerState): CallbackResult;
  onStepEnd?(state: TrainerState): CallbackResult;
  /** Every `logging_steps`: the window's mean loss, learning_rate, grad_norm, epoch, tokens/s. */
  onLog?(state: TrainerState, logs: TrainerLogs): CallbackResult;
  /** After each evaluation, with the generations it sampled (if it generated). */
  onEvaluate?(
    state: TrainerState,
    metrics: MetricValues,
    samples?: readonly GenerationSample[],
  ): CallbackResult;
  /** After a checkpoint folder is complete (renamed into place). */
  onSave?(state: TrainerState, checkpointDir: string): CallbackResult;
  onTrainEnd?(state: TrainerState): CallbackResult;
}

/** Structured fields logged beside a message. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  debug?(message: string, fields?: LogFields): void;
}
