import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledModel, examplesDir } from './repo-paths.js';
import { runTunekit } from './run-tunekit.js';

describe('tunekit eval', () => {
  it('fits its default --max-new-tokens into the bundled 64-position model, and says so once', async () => {
    const data = join(examplesDir, 'quickstart/data/eval.jsonl');
    const run = await runTunekit([
      'eval',
      '--model',
      bundledModel,
      '--data',
      data,
      '--num-samples',
      '4',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^note: max_new_tokens 64 does not fit beside 4 of 4 prompts in the model's 64 positions; their answers were cut to [\d-]+ tokens\n$/,
    );
    expect(run.stdout).toContain('4 answers generated');
    // one-word references: BLEU and ROUGE-2 would be 0 whatever the answers, so they say so
    expect(run.stdout).toMatch(/^ {2}bleu +left out: no reference has 4 words/m);
    expect(run.stdout).toMatch(/^ {2}rouge2 +left out: no reference has 2 words/m);
    expect(run.stdout).not.toMatch(/^ {2}bleu +\d/m);
  }, 120_000);

  it('takes --template as a .jinja file relative to the working directory, and names the file when it fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-cli-eval-template-'));
    try {
      await writeFile(
        join(dir, 'qa.jinja'),
        "{% for m in messages %}{{ 'Q: ' if m['role'] == 'user' else 'A: ' }}{{ m['content'] }}\n{% endfor %}" +
          '{% if add_generation_prompt %}A:{% endif %}',
      );
      await writeFile(join(dir, 'fails.jinja'), "{{ raise_exception('rendered from the file') }}");
      const data = join(examplesDir, 'quickstart/data/eval.jsonl');
      const args = ['eval', '--model', bundledModel, '--data', data, '--num-samples', '1'];
      const run = await runTunekit([...args, '--template', 'qa.jinja'], { cwd: dir });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/: 200 examples, template qa\.jinja, 1 answers generated\n/);
      // the file is what renders the records
      const failed = await runTunekit([...args, '--template', 'fails.jinja'], { cwd: dir });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe(
        `error: ${data}:1: ${join(dir, 'fails.jinja')}: the chat_template failed to render: rendered from the file\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
