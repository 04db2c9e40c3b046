import { type Backend, Generator } from '@tunekit/core';
import { chatPrompt } from './data.js';
import type { LoraModel } from './lora-model.js';

/**
 * Greedy answers from the model with its adapter, prompted with ChatML as it was trained. The
 * weights are uploaded and the generation graphs compiled once, for every question after.
 */
export class Chat {
  private readonly generator: Generator;

  constructor(
    private readonly model: LoraModel,
    backend: Backend,
  ) {
    this.generator = new Generator(model.peft.model, backend, {
      maxLength: model.peft.model.shape.maxPositions,
    });
  }

  async answer(message: string, maxNewTokens = 16): Promise<string> {
    const { tokenizer, generation, peft } = this.model;
    const prompt = chatPrompt(tokenizer, message);
    const room = peft.model.shape.maxPositions - prompt.length;
    const [row] = await this.generator.generate(
      [prompt],
      { ...generation, max_new_tokens: Math.min(maxNewTokens, room), do_sample: false },
      { decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }) },
    );
    return (row.text ?? '').trim();
  }

  dispose(): void {
    this.generator.dispose();
  }
}
