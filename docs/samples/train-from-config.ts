import { plugin as onnx } from '@tunekit/backend-onnx';
import { corePlugins, createContainer } from '@tunekit/core';
import { plugin as lora } from '@tunekit/peft-lora';
import { plugin as templates } from '@tunekit/templates';
import {
  openChatSession,
  parseTrainConfig,
  plugin as trainer,
  trainFromConfig,
} from '@tunekit/trainer';
import { focalLoss } from './custom-trainer.js';

/** The whole job from a config object, with the focal loss in place of the stock one; then a chat. */
export async function trainThenChat(modelDir: string, dataDir: string, outputDir: string) {
  const container = createContainer([...corePlugins, onnx, lora, templates, trainer]);
  // the keys of a `tunekit train` YAML file, validated once, here
  const config = parseTrainConfig(
    {
      model: modelDir,
      train: 'train.jsonl',
      template: 'chatml',
      max_length: 64,
      peft: { method: 'lora', r: 8, lora_alpha: 16, target_modules: 'all-linear' },
      output_dir: outputDir,
      max_steps: 2,
      save_strategy: 'no',
    },
    container,
  );
  // relative data paths start at configDir, as they start at a YAML file's folder
  const trained = await trainFromConfig(config, {
    container,
    configDir: dataDir,
    computeLoss: focalLoss,
  });

  // what `tunekit chat --model <modelDir> --adapter <outputDir>` opens
  const chat = await openChatSession({
    container,
    model: modelDir,
    adapter: trained.outputDir,
    generation: { max_new_tokens: 8 },
  });
  try {
    const answer = await chat.session.reply('What is 2 + 2?', (text) => process.stdout.write(text));
    return { globalStep: trained.globalStep, files: trained.files, answer };
  } finally {
    await chat.close();
  }
}
