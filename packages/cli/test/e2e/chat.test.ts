import { describe, expect, it } from 'vitest';
import { bundledModel } from './repo-paths.js';
import { runTunekit } from './run-tunekit.js';

const question = 'What is 30 + 8?';

describe('tunekit chat', () => {
  it('answers piped lines in turn, forgets on /reset and stops at /exit', async () => {
    const run = await runTunekit(['chat', '--model', bundledModel, '--max-new-tokens', '8'], {
      input: `${question}\nAnd 2 + 2?\n/reset\n${question}\n/exit\nnever read\n`,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toHaveLength(5); // three answers, the reset notice, and the final newline's ''
    expect(lines[2]).toBe('(conversation reset)');
    // greedy, so the first question asked afresh gets the first answer again
    expect(lines[3]).toBe(lines[0]);
    expect(lines[4]).toBe('');

    // the answer is what the model continues the ChatML-rendered conversation with
    const prompt = `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n`;
    const generated = await runTunekit([
      'generate',
      '--model',
      bundledModel,
      '--prompt',
      prompt,
      '--max-new-tokens',
      '8',
    ]);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toBe(`${lines[0]}\n`);
  }, 120_000);

  it('starts from a system message and keeps a long conversation within the model’s window', async () => {
    const turns = Array.from({ length: 12 }, (_, i) => `What is ${i} + ${i}?`).join('\n');
    const run = await runTunekit(
      ['chat', '--model', bundledModel, '--system', 'You are terse.', '--max-new-tokens', '6'],
      { input: `${turns}\n` },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(13);
  }, 120_000);

  it('refuses a line longer than the model’s window, says why and goes on', async () => {
    const run = await runTunekit(['chat', '--model', bundledModel, '--max-new-tokens', '100'], {
      input: `${question}\n${'word '.repeat(40)}\nAnd 2 + 2?\n`,
    });
    expect(run.code).toBe(0);
    const [notice, refusal, ...rest] = run.stderr.split('\n');
    // answers are cut to what the 64 positions leave room for
    expect(notice).toContain('max_new_tokens 100 leaves no room');
    expect(refusal).toMatch(
      /^error: this message does not fit .* it takes \d+ tokens, the conversation may take 32 /,
    );
    expect(rest).toEqual(['']);
    expect(run.stdout.split('\n')).toHaveLength(3); // two answers and the final newline's ''
  }, 120_000);
});
