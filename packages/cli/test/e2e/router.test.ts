import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledModel, examplesDir, jsonl, readJson, runTunekit, workDir } from './harness.js';

// examples/router as a user runs it from the repository root, in a copy whose runs/ is the test's
// own: the configs and router.yaml files are used as they are written. Runs that do not read each
// other's output run side by side.
const work = await workDir('router');
await mkdir(join(work, 'examples'));
await cp(join(examplesDir, 'router'), join(work, 'examples/router'), { recursive: true });
await symlink(join(examplesDir, 'quickstart'), join(work, 'examples/quickstart'));
await symlink(join(examplesDir, 'chat-persona'), join(work, 'examples/chat-persona'));
await mkdir(join(work, 'models'));
await symlink(bundledModel, join(work, 'models/tunekit-tiny-chat'));

const tunekit = (args: string[], input?: string) => runTunekit(args, { cwd: work, input });

/** Held out from examples/router/data/routes.jsonl: other numbers, wordings, facts and small talk. */
const HELD_OUT: readonly [string, 'sums' | 'facts' | 'none'][] = [
  ['What is 61 + 17?', 'sums'],
  ['What is 8 plus 33?', 'sums'],
  ['Add 25 and 44.', 'sums'],
  ['70 + 11 =', 'sums'],
  ['What is the capital of Peru?', 'facts'],
  ['What colour is milk?', 'facts'],
  ['What does a frog say?', 'facts'],
  ['What is the opposite of wet?', 'facts'],
  ['What colour is a plum?', 'facts'],
  ['Good evening.', 'none'],
  ['Hello there!', 'none'],
  ['Who made you?', 'none'],
  ['How are you today?', 'none'],
];

interface Row {
  readonly prompt: string;
  readonly generated_ids: number[];
  readonly adapter: string;
  readonly routed_by: string;
}

async function routedRows(router: string): Promise<Row[]> {
  const prompts = HELD_OUT.flatMap(([prompt]) => ['-p', prompt]);
  const run = await tunekit([
    'generate',
    ...['-m', 'models/tunekit-tiny-chat', '--router', router, '--json', '--max-new-tokens', '4'],
    ...prompts,
  ]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
}

/** Trains one of the example's configs, cut short; returns stdout. */
async function train(config: string, ...set: string[]): Promise<string> {
  const run = await tunekit([
    'train',
    `examples/router/${config}`,
    ...set.flatMap((s) => ['--set', s]),
  ]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

describe('examples/router', () => {
  it('routes held-out prompts to the right adapter by rules and by the learned classifier, and answers with it', async () => {
    const short = ['max_steps=4', 'per_device_train_batch_size=8', 'logging_steps=1'];
    const [, , classifier] = await Promise.all([
      train('sums.yaml', ...short),
      train('facts.yaml', ...short),
      train('classifier.yaml'),
    ]);
    expect(classifier).toContain('router: 64 examples of facts, none, sums');

    const expected = HELD_OUT.map(([, label]) => label);
    const [byRules, learned] = await Promise.all([
      routedRows('examples/router/router.yaml'),
      routedRows('examples/router/router-learned.yaml'),
    ]);
    expect(byRules.map((r) => r.adapter)).toEqual(expected);
    expect(byRules.every((r) => r.routed_by === (r.adapter === 'none' ? 'default' : 'rule'))).toBe(
      true,
    );

    const right = learned.filter((r, i) => r.adapter === expected[i]).length;
    expect(right, JSON.stringify(learned.map((r) => [r.prompt, r.adapter]))).toBeGreaterThanOrEqual(
      HELD_OUT.length - 1,
    );

    // the routed answer is the one the chosen adapter gives alone (and the adapters differ)
    const alone = (i: number, adapter: string) =>
      tunekit([
        'generate',
        ...['-m', 'models/tunekit-tiny-chat', '-a', adapter, '--json', '--max-new-tokens', '4'],
        ...['-p', HELD_OUT[i][0]],
      ]);
    const [sums, facts] = await Promise.all([
      alone(0, 'runs/router/sums'),
      alone(4, 'runs/router/facts'),
    ]);
    for (const [i, run] of [
      [0, sums],
      [4, facts],
    ] as const) {
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).generated_ids).toEqual(byRules[i].generated_ids);
    }

    // chat routes each message; a system-role preset (rule 1) sends everything to sums; eval
    // answers and scores each example with the adapter its user message routes to
    const chatRecord = (user: string, assistant: string) => ({
      messages: [
        { role: 'user', content: user },
        { role: 'assistant', content: assistant },
      ],
    });
    await writeFile(
      join(work, 'eval.jsonl'),
      jsonl([
        chatRecord('What is 61 + 17?', '78'),
        chatRecord('What colour is milk?', 'White.'),
        chatRecord('Good evening.', 'Good evening!'),
        chatRecord('Add 25 and 44.', '69'),
      ]),
    );
    const router = ['-m', 'models/tunekit-tiny-chat', '--router', 'examples/router/router.yaml'];
    const [chat, preset, evalRun] = await Promise.all([
      tunekit(['chat', ...router], 'What is 12 + 30?\nWhat colour is snow?\nHello!\n/exit\n'),
      tunekit(
        ['chat', ...router, '--system', 'You are a calculator.', '--max-new-tokens', '4'],
        'Hello!\n',
      ),
      tunekit([
        'eval',
        ...router,
        ...['--data', 'eval.jsonl', '--max-new-tokens', '4', '--out', 'runs/eval-routed'],
      ]),
    ]);
    expect(chat.code, chat.stderr).toBe(0);
    // the backend of the first adapter's run (examples/router/*.yaml: onnx), then each route
    const note =
      'note: backend onnx, the one the run trained on (its training_record.json); --backend <id> picks another';
    expect(chat.stderr.trim().split('\n')).toEqual([
      note,
      '[route: sums (rule 2)]',
      '[route: facts (rule 3)]',
      '[route: none (default)]',
    ]);
    expect(preset.stderr.trim().split('\n')).toEqual([note, '[route: sums (rule 1)]']);

    expect(evalRun.code, evalRun.stderr).toBe(0);
    expect(evalRun.stdout).toContain(
      '  routes: sums 2, facts 1, none 1 (eval examples per adapter)',
    );
    const results = await readJson<{ routes: Record<string, number> }>(
      join(work, 'runs/eval-routed/eval_results.json'),
    );
    expect(results.routes).toEqual({ sums: 2, facts: 1, none: 1 });
  }, 300_000);

  it('asks eval for a router to choose between several adapters, in one line', async () => {
    const run = await tunekit([
      'eval',
      ...['-m', 'models/tunekit-tiny-chat', '-a', 'runs/a', '-a', 'runs/b', '--data', 'x.jsonl'],
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: --adapter: several adapters need --router <router.yaml> to choose between them\n',
    );
  }, 60_000);
});
