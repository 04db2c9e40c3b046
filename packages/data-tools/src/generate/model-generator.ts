import { type ChatMessage, type GenerationConfig, Generator } from '@tunekit/core';
import { contextFromTokenizer, renderText, resolveChatTemplate } from '@tunekit/templates';
import {
  type BackendChoice,
  decodingConfig,
  loadInferenceModel,
  openInferenceBackend,
  templateSetting,
} from '@tunekit/trainer';
import type { DependencyContainer } from 'tsyringe';
import type { TextGenerator } from './text-generator.js';

export interface ModelGeneratorOptions extends BackendChoice {
  readonly container: DependencyContainer;
  /** A model folder or Hub id, and an adapter on it, as `tunekit generate` takes them. */
  readonly model: string;
  readonly adapter?: string;
  /** The chat template for `answer` (default: the one the adapter was trained with, the model's own, else ChatML). */
  readonly template?: string;
  /** Decoding (transformers' keys) over the model's generation_config.json. */
  readonly generation?: GenerationConfig;
  readonly seed?: number;
  /** Rows generated together; default 8. */
  readonly batchSize?: number;
}

/** A model loaded once, generating for many prompts in batches. */
export async function openModelGenerator(opts: ModelGeneratorOptions): Promise<TextGenerator> {
  const loaded = await loadInferenceModel(opts.container, opts);
  const { model, tokenizer } = loaded;
  const config = decodingConfig(loaded, opts.generation ?? {});
  const template = await resolveChatTemplate(
    opts.container,
    templateSetting(loaded, opts.template),
  );
  const context = contextFromTokenizer(tokenizer);
  const backend = await openInferenceBackend(opts.container, opts, loaded.record);
  const positions = model.shape.maxPositions;
  const generator = new Generator(model, backend, { maxLength: positions });
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const batchSize = opts.batchSize ?? 8;
  let seed = opts.seed ?? 0;
  // a prompt that leaves no room for max_new_tokens is not generated: its reply is ''
  const room = positions - config.max_new_tokens;
  const run = async (texts: readonly string[]) => {
    const ids = texts.map((text) => tokenizer.encode(text));
    const fitting = ids.flatMap((row, i) => (row.length <= room ? [i] : []));
    const out: string[] = texts.map(() => '');
    for (let start = 0; start < fitting.length; start += batchSize) {
      const batch = fitting.slice(start, start + batchSize);
      const rows = await generator.generate(
        batch.map((i) => ids[i] ?? []),
        config,
        { seed: seed++, decode },
      );
      rows.forEach((row, j) => {
        out[batch[j] ?? 0] = row.text ?? decode(row.tokens);
      });
    }
    return out;
  };
  return {
    positions,
    maxNewTokens: config.max_new_tokens,
    countTokens: (text) => tokenizer.encode(text).length,
    complete: run,
    answer: (conversations) =>
      run(
        conversations.map((messages) =>
          renderText(template, messages as ChatMessage[], { context, addGenerationPrompt: true }),
        ),
      ),
    async dispose() {
      generator.dispose();
      await backend.dispose();
    },
  };
}
