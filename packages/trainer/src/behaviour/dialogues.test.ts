import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatMessage, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS } from '../eval/index.js';
import { isCoherent } from './coherence.js';
import { evaluateDialogues } from './dialogue-eval.js';
import { readScenarios } from './dialogue-scenarios.js';
import { lastUserText, type Respond } from './respond.js';

const dir = await mkdtemp(join(tmpdir(), 'tunekit-dialogues-'));
async function scenarioFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const YAML = `
dialogues:
  - id: sums
    system: You add numbers.
    turns:
      - user: What is 2 + 3?
        check: { exact: "5" }
      - user: And add 4 to that?
        check: { regex: "^9$" }
  - id: greeting
    turns:
      - user: Hello!
        check: { metric: rouge, value: rougeL, reference: Hello there friend, min: 0.5 }
      - user: Bye
    check: { regex: bye, flags: i }
  - turns:
      - user: Say anything
`;

// a stand-in model: adds the numbers it is asked about, and "and add N" to its last answer
const respond: Respond = async (messages) => {
  const text = lastUserText(messages);
  const sum = text.match(/(\d+) \+ (\d+)/);
  if (sum) return String(Number(sum[1]) + Number(sum[2]));
  const more = text.match(/add (\d+)/);
  const previous = messages.filter((m) => m.role === 'assistant').at(-1)?.content;
  if (more) return String(Number(previous) + Number(more[1]));
  if (text === 'Hello!') return 'Hello there';
  if (text === 'Bye') return 'Bye now';
  return 'the the the the';
};

describe('dialogue scenarios', () => {
  it('play each scripted turn with the history and score turns, dialogues and coherence', async () => {
    const path = await scenarioFile('scenarios.yaml', YAML);
    const seen: ChatMessage[][] = [];
    const scenarios = await readScenarios(path, BUILTIN_METRICS);
    const result = await evaluateDialogues(scenarios, async (messages) => {
      seen.push([...messages]);
      return respond(messages);
    });
    // the second turn sees the system message, the first exchange and itself
    expect(seen[1].map((m) => `${m.role}:${m.content}`)).toEqual([
      'system:You add numbers.',
      'user:What is 2 + 3?',
      'assistant:5',
      'user:And add 4 to that?',
    ]);
    expect(result.dialogues.map((d) => [d.id, d.passed, d.turns.map((t) => t.passed)])).toEqual([
      ['sums', true, [true, true]],
      ['greeting', true, [true, undefined]],
      ['3', undefined, [undefined]],
    ]);
    expect(result.metrics).toEqual({
      dialogues: 3,
      turns: 5,
      turn_success_rate: 1,
      dialogue_success_rate: 1,
      coherence: 4 / 5,
    });
  });

  it('fail a dialogue when one check fails (its own included)', async () => {
    const path = await scenarioFile(
      'fail.jsonl',
      `${JSON.stringify({ turns: [{ user: 'What is 1 + 1?', check: { exact: '3' } }, { user: 'Bye' }] })}\n` +
        `${JSON.stringify({ turns: [{ user: 'Bye' }], check: { regex: '^hello' } })}\n`,
    );
    const result = await evaluateDialogues(await readScenarios(path, BUILTIN_METRICS), respond);
    expect(result.dialogues.map((d) => d.passed)).toEqual([false, false]);
    expect(result.metrics.turn_success_rate).toBe(0);
    expect(result.metrics.dialogue_success_rate).toBe(0);
  });

  it('refuse bad checks before anything is generated, in one line', async () => {
    const cases = [
      [
        '- turns: [{ user: hi, check: { metric: nope, reference: x } }]',
        /\[0\], turn 1: unknown metric 'nope'; registered: loss/,
      ],
      ['- turns: [{ user: hi, check: { regex: "(" } }]', /\[0\], turn 1: regex "\(":/],
      ['- turns: []', /\[0\]: .*turns/],
      ['- turns: [{ user: hi, check: { exact: a, regex: b } }]', /\[0\]: /],
      ['dialogues: 3', /expected a list of records \(or a mapping with a `dialogues` list\)/],
    ] as const;
    for (const [text, message] of cases) {
      const path = await scenarioFile('bad.yaml', text);
      const error = await readScenarios(path, BUILTIN_METRICS).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('reject a metric value that the metric does not give', async () => {
    const path = await scenarioFile(
      'value.yaml',
      '- turns: [{ user: Hello!, check: { metric: rouge, value: rouge9, reference: x } }]',
    );
    const scenarios = await readScenarios(path, BUILTIN_METRICS);
    await expect(evaluateDialogues(scenarios, respond)).rejects.toThrow(
      /metric 'rouge' gave no 'rouge9' \(it gave: rouge1, rougeL\); set `value`$/,
    );
  });
});

describe('isCoherent', () => {
  it('takes non-empty answers that do not loop', () => {
    expect(isCoherent('68')).toBe(true);
    expect(isCoherent("I can't help with that.")).toBe(true);
    expect(isCoherent('is 5 is 6')).toBe(true);
    expect(isCoherent('  ')).toBe(false);
    expect(isCoherent('...')).toBe(false);
    expect(isCoherent('the the the the')).toBe(false);
    expect(isCoherent('is 5 is 5 is 5')).toBe(false);
  });
});
