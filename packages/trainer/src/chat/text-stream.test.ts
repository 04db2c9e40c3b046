import { describe, expect, it } from 'vitest';
import { TextStream } from './text-stream.js';

// A toy vocabulary: a token's text, or half of a two-token character ('\uFFFD' until completed).
const pieces = ['a', ' b', 'c', '!', 'é1', 'é2', 'ST', 'OP'];
function decode(ids: readonly number[]): string {
  return ids
    .map((id) => pieces[id])
    .join('')
    .replace(/é1é2/g, 'é')
    .replace(/é[12]/g, '\uFFFD');
}

function streamed(ids: number[], finalText: string, stops: string[] = []): string[] {
  const writes: string[] = [];
  const stream = new TextStream(decode, (t) => writes.push(t), stops);
  for (const id of ids) stream.push(id);
  stream.end(finalText);
  return writes;
}

describe('TextStream', () => {
  it('writes each token as its text becomes final', () => {
    expect(streamed([0, 1, 2], 'a bc')).toEqual(['a', ' b', 'c']);
  });

  it('holds back a character split across tokens until it is complete', () => {
    expect(streamed([0, 4, 5, 3], 'aé!')).toEqual(['a', 'é', '!']);
  });

  it('never prints the start of a stop string that generation then cuts', () => {
    // the generator stops at 'STOP' and returns the text before it
    expect(streamed([0, 6, 7], 'a', ['STOP'])).toEqual(['a']);
  });

  it('prints held-back text that turned out not to be a stop string', () => {
    expect(streamed([0, 6], 'aST', ['STOP'])).toEqual(['a', 'ST']);
  });
});
