import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateText } from './generate-text.js';
import { openChatSession } from './open-chat-session.js';
import { jobContainer, writeTinyModelFolder } from './test-utils.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-open-chat-'));
const model = join(work, 'model');
await writeTinyModelFolder(model);
const container = jobContainer();
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const QUESTION = 'What is 30 + 8?';

/** Runs `fn` with a sink for streamed text; returns what was written. */
async function streamed(fn: (write: (text: string) => void) => Promise<unknown>): Promise<string> {
  let written = '';
  await fn((text) => {
    written += text;
  });
  return written;
}

describe('openChatSession', () => {
  it("answers through the model's template (ChatML here) what generation gives the rendered prompt", async () => {
    const chat = await openChatSession({ container, model, generation: { max_new_tokens: 6 } });
    try {
      expect(chat.template).toBe('chatml');
      expect(chat.window).toEqual({ positions: 64, maxNewTokens: 6, historyTokens: 58 });
      let answer = '';
      const written = await streamed(async (write) => {
        answer = await chat.session.reply(QUESTION, write);
      });
      expect(answer).not.toBe('');
      expect(written).toBe(answer);
      const prompt = `<|im_start|>user\n${QUESTION}<|im_end|>\n<|im_start|>assistant\n`;
      const expected = await generateText({
        container,
        model,
        prompt,
        generation: { max_new_tokens: 6 },
      });
      expect(answer).toBe(expected.text);
    } finally {
      await chat.close();
    }
  });

  it('cuts an answer length that leaves the conversation no room, with a note', async () => {
    const notes: string[] = [];
    const chat = await openChatSession({
      container,
      model,
      system: 'You are terse.',
      generation: { max_new_tokens: 100 },
      warn: (line) => notes.push(line),
    });
    await chat.close();
    expect(chat.window).toMatchObject({ maxNewTokens: 32, historyTokens: 32 });
    expect(notes).toEqual([expect.stringMatching(/^note: max_new_tokens 100 leaves no room/)]);
  });
});
