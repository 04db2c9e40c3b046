import { ReferenceBackend } from '@tunekit/core';
import { chatml } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import { generateSamples, promptIds } from './generate-samples.js';
import { answeringModel, byteTokenizer, CHATML_IDS, tinyLlama } from './test-utils.js';

/** An eval prompt as the brief defines it: the conversation without its answer, with the generation prompt. */
function evalPrompt(question: string, reference: string, where: string) {
  const prompt = chatml.render([{ role: 'user', content: question }], {
    addGenerationPrompt: true,
  }).text;
  return { where, prompt, reference };
}

const prompts = [
  evalPrompt('What is the capital of France?', 'Paris', 'eval.jsonl:1'),
  evalPrompt('And of Italy?', 'Rome', 'eval.jsonl:2'),
  evalPrompt('Capital of France, again?', 'Paris', 'eval.jsonl:3'),
];

describe('generateSamples', () => {
  it('answers each prompt greedily, stops at eos and decodes without special tokens', async () => {
    const samples = await generateSamples(prompts, {
      model: answeringModel('Paris'),
      backend: new ReferenceBackend(),
      tokenizer: byteTokenizer(),
      batchSize: 2,
    });
    expect(samples).toEqual(
      prompts.map((p) => ({ ...p, prediction: 'Paris', finishReason: 'eos', maxNewTokens: 64 })),
    );
  });

  it('stops at max_new_tokens from the generation config', async () => {
    const [sample] = await generateSamples(prompts.slice(0, 1), {
      model: answeringModel('Paris'),
      backend: new ReferenceBackend(),
      tokenizer: byteTokenizer(),
      generationConfig: { max_new_tokens: 3, do_sample: true, temperature: 5 },
    });
    expect(sample.prediction).toBe('Par');
    expect(sample.finishReason).toBe('length');
  });

  it('keeps the last tokens of a prompt too long for the model', async () => {
    // 256 positions, 64 of them for the answer: the prompt keeps its last 192 tokens
    const long = { where: 'eval.jsonl:9', prompt: `${'.'.repeat(300)}\n`, reference: 'Paris' };
    const [sample] = await generateSamples([long], {
      model: answeringModel('Paris'),
      backend: new ReferenceBackend(),
      tokenizer: byteTokenizer(),
    });
    expect(sample.prediction).toBe('Paris');
  });

  it('cuts max_new_tokens beyond the model’s positions to what fits beside each prompt', async () => {
    const run = (max_new_tokens: number) =>
      generateSamples(prompts, {
        model: tinyLlama(5),
        backend: new ReferenceBackend(),
        tokenizer: byteTokenizer(),
        generationConfig: { max_new_tokens, eos_token_id: [] },
        batchSize: 2,
      });
    const positions = tinyLlama(5).shape.maxPositions;
    const cut = await run(positions);
    const lengths = prompts.map((p) => promptIds(byteTokenizer(), p.prompt).length);
    expect(cut.map((s) => s.maxNewTokens)).toEqual(lengths.map((n) => positions - n));
    expect(cut.map((s) => s.finishReason)).toEqual(['length', 'length', 'length']);
    // each prompt's answer is the one it gets alone, with its own length
    const fits = await run(8);
    cut.forEach((s, i) => {
      expect(s.prediction.startsWith(fits[i].prediction)).toBe(true);
    });
  });

  it('gives the same greedy answers batched (left-padded) as one by one', async () => {
    const run = (batchSize: number) =>
      generateSamples(prompts, {
        model: tinyLlama(5),
        backend: new ReferenceBackend(),
        tokenizer: byteTokenizer(),
        generationConfig: { max_new_tokens: 6 },
        batchSize,
      });
    const [together, alone] = [await run(3), await run(1)];
    expect(together.map((s) => s.prediction)).toEqual(alone.map((s) => s.prediction));
    expect(together.every((s) => s.prediction.length > 0)).toBe(true);
  });
});

describe('promptIds', () => {
  it('is the prompt text token by token', () => {
    expect(promptIds(byteTokenizer(), 'Hi\n')).toEqual([72, 105, 10]);
  });

  it('keeps the BOS the tokenizer adds, drops the eos it appends', () => {
    expect(promptIds(byteTokenizer({ wrap: true }), 'Hi\n')).toEqual([
      CHATML_IDS.endoftext,
      72,
      105,
      10,
    ]);
  });

  it('keeps one BOS where the template wrote one and the tokenizer added another', () => {
    expect(promptIds(byteTokenizer({ wrap: true }), '<|endoftext|>Hi')).toEqual([
      CHATML_IDS.endoftext,
      72,
      105,
    ]);
  });
});
