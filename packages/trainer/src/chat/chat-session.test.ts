import { fileURLToPath } from 'node:url';
import { Generator, loadCausalLM, ReferenceBackend, Tokenizer } from '@tunekit/core';
import { chatml, contextFromTokenizer, TurnTooLongError } from '@tunekit/templates';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ChatSession } from './chat-session.js';

const folder = fileURLToPath(new URL('../../../../models/tunekit-tiny-chat', import.meta.url));
const tokenizer = await Tokenizer.fromFolder(folder);
const { model } = await loadCausalLM(folder);
const backend = new ReferenceBackend();
const generator = new Generator(model, backend, { maxLength: model.shape.maxPositions });

afterAll(async () => {
  generator.dispose();
  await backend.dispose();
});

describe('ChatSession', () => {
  it('refuses a line that cannot fit the window and keeps the conversation as it was', async () => {
    const session = new ChatSession({
      generator,
      tokenizer,
      template: chatml,
      context: contextFromTokenizer(tokenizer),
      generationConfig: { max_new_tokens: 4, eos_token_id: [2], pad_token_id: 0 },
      historyTokens: 60,
      seed: 0,
    });
    const prompts = vi.spyOn(generator, 'generate');
    const ignore = () => {};
    const first = await session.reply('Hi?', ignore);

    const refused = session.reply('word '.repeat(40), ignore);
    await expect(refused).rejects.toThrow(TurnTooLongError);
    await expect(refused).rejects.toMatchObject({ budget: 60 });
    expect(prompts).toHaveBeenCalledTimes(1);

    // the next line is answered after the first exchange, as if the long line had never come
    await session.reply('Ok?', ignore);
    const history = chatml.render(
      [
        { role: 'user', content: 'Hi?' },
        { role: 'assistant', content: first },
        { role: 'user', content: 'Ok?' },
      ],
      { addGenerationPrompt: true, context: contextFromTokenizer(tokenizer) },
    ).text;
    expect(tokenizer.decode(prompts.mock.calls[1][0][0])).toBe(history);
  });
});
