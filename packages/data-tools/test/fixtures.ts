import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage } from '@tunekit/core';
import { afterAll } from 'vitest';
import type { TextGenerator } from '../src/index.js';

/** A temporary folder for the calling test file, removed after it. */
export async function workFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunekit-data-tools-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `records` as JSON Lines (a string is written as the line itself, e.g. a broken one). */
export async function writeJsonl(path: string, records: readonly unknown[]): Promise<string> {
  const lines = records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** The bundled model's folder (tokenizer and chat template). */
export const bundledModel = new URL('../../../models/tunekit-tiny-chat', import.meta.url).pathname;

/**
 * A stand-in model for the data commands: answers and continuations by the given functions (each
 * sees the prompt), every request recorded; one word is one token.
 */
export function fakeGenerator(behaviour: {
  readonly answer?: (userText: string, messages: readonly ChatMessage[]) => string;
  readonly complete?: (prompt: string) => string;
}): TextGenerator & { readonly asked: string[]; readonly prompts: string[] } {
  const asked: string[] = [];
  const prompts: string[] = [];
  return {
    asked,
    prompts,
    positions: 512,
    maxNewTokens: 32,
    countTokens: (text) => text.split(/\s+/).length,
    complete: async (batch) => {
      prompts.push(...batch);
      return batch.map((p) => behaviour.complete?.(p) ?? '');
    },
    answer: async (conversations) =>
      conversations.map((messages) => {
        const text = String(messages.at(-1)?.content ?? '');
        asked.push(text);
        return behaviour.answer?.(text, messages) ?? '';
      }),
    dispose: async () => {},
  };
}
