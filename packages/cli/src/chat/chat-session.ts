import type {
  ChatMessage,
  ChatTemplate,
  ChatTemplateContext,
  GenerationConfig,
  Generator,
  Tokenizer,
} from '@tunekit/core';
import { fitHistory, renderText } from '@tunekit/templates';
import { promptIds } from '@tunekit/trainer';
import { TextStream } from '../text-stream.js';

export interface ChatSessionOptions {
  readonly generator: Generator;
  readonly tokenizer: Tokenizer;
  readonly template: ChatTemplate;
  readonly context: ChatTemplateContext;
  /** The system message every conversation starts with, if any. */
  readonly system?: string;
  /** Decoding settings, with max_new_tokens and the eos ids set. */
  readonly generationConfig: GenerationConfig & { readonly max_new_tokens: number };
  /** Most tokens the rendered history may take: the model's positions less max_new_tokens. */
  readonly historyTokens: number;
  readonly seed: number;
}

/**
 * A conversation with a model: each user message is answered from the history rendered through the
 * chat template, with the oldest turns dropped (the system message kept) once the history outgrows
 * its window. Answers are streamed as they are generated.
 */
export class ChatSession {
  private messages: ChatMessage[] = [];
  private turns = 0;

  constructor(private readonly opts: ChatSessionOptions) {
    this.reset();
  }

  /** Forgets the conversation; the system message stays. */
  reset(): void {
    this.messages = this.opts.system ? [{ role: 'system', content: this.opts.system }] : [];
  }

  /** Answers `text`, writing the answer as it is generated; returns the whole answer. */
  async reply(text: string, write: (text: string) => void): Promise<string> {
    const { tokenizer, template, context } = this.opts;
    // Rendered for inference: text only, no loss spans looked for.
    const render = (messages: readonly ChatMessage[]) =>
      promptIds(tokenizer, renderText(template, messages, { addGenerationPrompt: true, context }));
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
