import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledModel } from './repo-paths.js';

/** The plugin package the project installs: the model family of model_type `probe_llama`. */
export const PROBE_PLUGIN = 'tunekit-plugin-probe';

/** The plugin file in the project's folder: the chat template `probe`. */
export const TEMPLATE_PLUGIN = 'probe-template.mjs';

/** The Jinja that the chat template `probe` writes into tokenizer_config.json. */
export const PROBE_JINJA =
  "{% for m in messages %}{{ m['role'] }}> {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant> {% endif %}";

const core = fileURLToPath(new URL('../../../core', import.meta.url));

// An ESM plugin as a third party writes one, against @tunekit/core's public exports: a Llama under
// model_type `probe_llama`, so a model folder of that type loads only with the plugin.
const PROBE_SOURCE = `import { llamaFamily, TOKENS } from '@tunekit/core';

const family = {
  ...llamaFamily,
  id: 'probe',
  modelTypes: ['probe_llama'],
  architectures: ['ProbeForCausalLM'],
};

export const plugin = {
  name: '${PROBE_PLUGIN}',
  coreRange: '*',
  register(container) {
    container.register(TOKENS.ModelFamily, { useValue: family });
  },
};
`;

// A plugin in one file of the project, named by its path: a chat template `probe` ("role> text"
// lines).
const TEMPLATE_SOURCE = `import { TOKENS } from '@tunekit/core';

const template = {
  id: 'probe',
  description: 'probe: role> text lines',
  chatTemplate: () => ${JSON.stringify(PROBE_JINJA)},
  supportsTools: () => false,
  render(messages, opts = {}) {
    let text = '';
    const spans = [];
    for (const m of messages) {
      text += m.role + '> ';
      const start = text.length;
      text += m.content + '\\n';
      spans.push({ role: m.role, start, end: text.length });
    }
    if (opts.addGenerationPrompt) text += 'assistant> ';
    return { text, spans };
  },
};

export const plugin = {
  name: 'probe-template',
  coreRange: '*',
  register(container) {
    container.register(TOKENS.ChatTemplate, { useValue: template });
  },
};
`;

/**
 * A user's project outside this repository, in `dir`: the probe plugin installed in its
 * node_modules (an ESM package with only an `import` export, and @tunekit/core linked to this
 * checkout's so that the plugins share the CLI's), the template plugin in `probe-template.mjs`,
 * `model/` (the bundled model under model_type `probe_llama`), `data.jsonl`, and
 * `configs/train.yaml`, which names the template plugin by its path under `plugins:` and trains
 * with its template, beside `configs/bare.yaml`, which names no plugin and trains with chatml.
 */
export async function writePluginProject(dir: string): Promise<void> {
  const modules = join(dir, 'node_modules');
  await mkdir(join(modules, '@tunekit'), { recursive: true });
  await symlink(core, join(modules, '@tunekit/core'), 'dir');
  const probe = join(modules, PROBE_PLUGIN);
  await mkdir(probe);
  await writeFile(
    join(probe, 'package.json'),
    JSON.stringify({
      name: PROBE_PLUGIN,
      version: '1.0.0',
      type: 'module',
      exports: { '.': { import: './index.js' } },
      peerDependencies: { '@tunekit/core': '*' },
    }),
  );
  await writeFile(join(probe, 'index.js'), PROBE_SOURCE);
  await writeFile(join(dir, TEMPLATE_PLUGIN), TEMPLATE_SOURCE);

  const model = join(dir, 'model');
  await cp(bundledModel, model, { recursive: true, filter: (path) => !path.endsWith('scripts') });
  const config = JSON.parse(await readFile(join(model, 'config.json'), 'utf8'));
  const probeConfig = { ...config, model_type: 'probe_llama', architectures: ['ProbeForCausalLM'] };
  await writeFile(join(model, 'config.json'), JSON.stringify(probeConfig));

  const chats = Array.from({ length: 8 }, (_, i) => ({
    messages: [
      { role: 'user', content: `What is ${i} + ${i}?` },
      { role: 'assistant', content: String(2 * i) },
    ],
  }));
  await writeFile(join(dir, 'data.jsonl'), chats.map((c) => `${JSON.stringify(c)}\n`).join(''));
  const train = [
    'model: ../model',
    'train: ../data.jsonl',
    'max_length: 64',
    'peft: { method: lora, r: 4, lora_alpha: 8, target_modules: [q_proj, v_proj] }',
    'max_steps: 2',
    'per_device_train_batch_size: 4',
    'save_steps: 1000',
    'eval_on_start: false',
    'generation: { num_samples: 0 }',
  ];
  await mkdir(join(dir, 'configs'));
  const yaml = (lines: string[]) => `${[...lines, ...train].join('\n')}\n`;
  await writeFile(join(dir, 'configs/bare.yaml'), yaml(['template: chatml']));
  await writeFile(
    join(dir, 'configs/train.yaml'),
    yaml([`plugins: [../${TEMPLATE_PLUGIN}]`, 'template: probe']),
  );
}
