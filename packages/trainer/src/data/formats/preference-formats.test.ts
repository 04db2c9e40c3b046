import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../detect-format.js';
import { hhRlhfFormat } from './hh-rlhf.js';
import { DATASET_FORMATS } from './index.js';
import { preferenceFormat } from './preference.js';
import { shareGptPreferenceFormat } from './sharegpt-preference.js';

const where = 'pairs.jsonl:2';
const detected = (record: unknown) => {
  const format = detectFormat(record, DATASET_FORMATS, where);
  return 'id' in format ? format.id : format.invalid;
};
const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

describe('preference pairs (TRL)', () => {
  it('takes prompt, chosen and rejected as strings or as message lists', () => {
    expect(preferenceFormat.parse({ prompt: 'Q', chosen: 'A', rejected: 'B' }, where)).toEqual({
      prompt: 'Q',
      chosen: 'A',
      rejected: 'B',
    });
    const pair = { prompt: [user('2+2?')], chosen: [assistant('4')], rejected: [assistant('5')] };
    expect(preferenceFormat.parse(pair, where)).toEqual(pair);
  });

  it('takes the shared beginning as the prompt when there is none (implicit prompt)', () => {
    const chosen = [user('2+2?'), assistant('4')];
    const rejected = [user('2+2?'), assistant('5')];
    expect(preferenceFormat.parse({ chosen, rejected }, where)).toEqual({
      prompt: [user('2+2?')],
      chosen: [assistant('4')],
      rejected: [assistant('5')],
    });
    // texts split before the space that starts the first difference, as TRL's extract_prompt
    expect(
      preferenceFormat.parse({ chosen: 'The sky is blue', rejected: 'The sky is green' }, where),
    ).toEqual({ prompt: 'The sky is', chosen: ' blue', rejected: ' green' });
  });

  it('names the field of a bad pair', () => {
    expect(() =>
      preferenceFormat.parse({ chosen: [assistant('4')], rejected: [assistant('5')] }, where),
    ).toThrow(/^pairs\.jsonl:2: .*prompt.*share no beginning/);
    expect(() =>
      preferenceFormat.parse({ prompt: 'Q', chosen: [assistant('4')], rejected: 'B' }, where),
    ).toThrow(UserError);
  });
});

describe('HH-RLHF', () => {
  const dialogue = (answer: string) =>
    `\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: What is 2 + 2?\n\nAssistant: ${answer}`;

  it('is detected, and split at the last Assistant turn as TRL’s hh-rlhf script does', () => {
    const record = { chosen: dialogue('4.'), rejected: dialogue('5.') };
    expect(detected(record)).toBe('hh_rlhf');
    expect(hhRlhfFormat.parse(record, where)).toEqual({
      prompt: [user('Hi'), assistant('Hello!'), user('What is 2 + 2?')],
      chosen: [assistant('4.')],
      rejected: [assistant('5.')],
    });
  });

  it('refuses dialogues that differ before the last turn', () => {
    expect(() =>
      hhRlhfFormat.parse(
        { chosen: dialogue('4.'), rejected: '\n\nHuman: Bye\n\nAssistant: 5.' },
        where,
      ),
    ).toThrow(/^pairs\.jsonl:2: rejected: its dialogue before the last "Assistant:" turn differs/);
  });
});

describe('LLaMA-Factory ShareGPT preference pairs', () => {
  it('is detected before plain ShareGPT, with the conversation as the prompt', () => {
    const record = {
      conversations: [{ from: 'human', value: 'What is 2 + 2?' }],
      chosen: { from: 'gpt', value: '4' },
      rejected: { from: 'gpt', value: '5' },
      system: 'Be brief.',
    };
    expect(detected(record)).toBe('sharegpt_preference');
    expect(shareGptPreferenceFormat.parse(record, where)).toEqual({
      prompt: [{ role: 'system', content: 'Be brief.' }, user('What is 2 + 2?')],
      chosen: [assistant('4')],
      rejected: [assistant('5')],
    });
    expect(() =>
      shareGptPreferenceFormat.parse({ ...record, chosen: { from: 'gpt' } }, where),
    ).toThrow(/^pairs\.jsonl:2: chosen\.value/);
  });
});
