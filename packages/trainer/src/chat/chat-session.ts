import type {
  ChatMessage,
  ChatTemplate,
  ChatTemplateContext,
  ChatToolDefinition,
  GenerationConfig,
  Generator,
  Tokenizer,
} from '@tunekit/core';
import { fitHistory, renderText, withSystem } from '@tunekit/templates';
import { promptIds } from '../eval/index.js';
import { TextStream } from './text-stream.js';

export interface ChatSessionOptions {
  readonly generator: Generator;
  readonly tokenizer: Tokenizer;
  readonly template: ChatTemplate;
  readonly context: ChatTemplateContext;
  /** The system message every conversation starts with, if any. */
  readonly system?: string;
  /** Tools the model may call (OpenAI/HF tool schemas), given to the template as training does. */
  readonly tools?: readonly ChatToolDefinition[];
  /**
   * Extra template variables, as `apply_chat_template`'s keyword arguments: Qwen3's
   * `enable_thinking`, or tools in a model's own layout (Command R v01's `parameter_definitions`).
   */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** Decoding settings, with max_new_tokens and the eos ids set. */
  readonly generationConfig: GenerationConfig & { readonly max_new_tokens: number };
  /** Most tokens the rendered history may take: the model's positions less max_new_tokens. */
  readonly historyTokens: number;
  readonly seed: number;
  /**
   * Called before each answer with the new user message and the system message, e.g. to switch
   * the model's adapter (a router); the answer is generated after it resolves.
   */
  readonly beforeAnswer?: (turn: {
    readonly message: string;
    readonly system?: string;
  }) => Promise<void>;
}

/**
 * A conversation with a model: each user message is answered from the history rendered through the
 * chat template, with the oldest turns dropped once the history outgrows its window. The opening
 * messages (the system message, and the tools where the template reads them from a message) are
 * composed as training composes a record's (`withSystem`) and always kept. Answers are streamed as
 * they are generated.
 */
export class ChatSession {
  private readonly opening: readonly ChatMessage[];
  private readonly tools?: readonly ChatToolDefinition[];
  private messages: ChatMessage[] = [];
  private turns = 0;

  constructor(private readonly opts: ChatSessionOptions) {
    const { system, tools = [], template, context } = opts;
    const spec = {
      ...(system ? { text: system } : {}),
      ...(tools.length > 0 ? { tools: [...tools] } : {}),
    };
    const composed =
      Object.keys(spec).length > 0 ? withSystem([], spec, template, context) : { messages: [] };
    this.opening = composed.messages;
    this.tools = composed.tools;
  }

  /** Forgets the conversation; the opening messages stay. */
  reset(): void {
    this.messages = [];
  }

  /** Replaces the conversation with `messages` (a scripted one's earlier turns); the opening stays. */
  resetTo(messages: readonly ChatMessage[]): void {
    this.messages = [...messages];
  }

  /** Answers `text`, writing the answer as it is generated; returns the whole answer. */
  async reply(text: string, write: (text: string) => void): Promise<string> {
    const { tokenizer, template, context, variables } = this.opts;
    await this.opts.beforeAnswer?.({ message: text, system: this.opts.system });
    // Rendered for inference: text only, no loss spans looked for.
    const renderOpts = { addGenerationPrompt: true, context, tools: this.tools, variables };
    const render = (messages: readonly ChatMessage[]) =>
      promptIds(tokenizer, renderText(template, [...this.opening, ...messages], renderOpts));
    const window = await fitHistory([...this.messages, { role: 'user', content: text }], {
      budget: this.opts.historyTokens,
      countTokens: (messages) => render(messages).length,
      compressor: null,
    });
    const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
    const config = this.opts.generationConfig;
    const stream = new TextStream(decode, write, [config.stop_strings ?? []].flat());
    const eos = new Set([config.eos_token_id ?? []].flat());
    const [row] = await this.opts.generator.generate([render(window.messages)], config, {
      seed: this.opts.seed + this.turns++,
      decode,
      onToken: (_, token) => {
        if (!eos.has(token)) stream.push(token);
      },
    });
    const answer = row.text ?? decode(row.tokens);
    stream.end(answer);
    this.messages = [...window.messages, { role: 'assistant', content: answer }];
    return answer;
  }
}
