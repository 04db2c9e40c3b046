import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './published-packages.js';

/**
 * Writes `train.yaml` in `project`: a few LoRA steps on the bundled tiny model with the quickstart
 * data, into `project/out`. Resolves to the YAML's path.
 */
export async function writeTinyTrainConfig(project: string, steps: number): Promise<string> {
  const yaml = join(project, 'train.yaml');
  const lines = [
    `model: ${JSON.stringify(join(ROOT, 'models/tunekit-tiny-chat'))}`,
    'backend: onnx',
    `train: ${JSON.stringify(join(ROOT, 'examples/quickstart/data/train.jsonl'))}`,
    'template: chatml',
    'max_length: 64',
    'peft: { method: lora, r: 4, target_modules: all-linear }',
    'output_dir: out',
    `max_steps: ${steps}`,
    'per_device_train_batch_size: 4',
    'logging_steps: 1',
  ];
  await writeFile(yaml, `${lines.join('\n')}\n`);
  return yaml;
}

/** The training steps that `out/metrics.jsonl` logged a loss for, with that loss. */
export function loggedLosses(out: string): { step: number; loss: number }[] {
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((record) => typeof record.loss === 'number');
}
