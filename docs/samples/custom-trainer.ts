import { plugin as onnx } from '@tunekit/backend-onnx';
import {
  corePlugins,
  createContainer,
  ops,
  type TrainerCallback,
  type TrainerState,
} from '@tunekit/core';
import { plugin as lora } from '@tunekit/peft-lora';
import { plugin as templates } from '@tunekit/templates';
import {
  type ComputeLoss,
  IGNORE_INDEX,
  parseTrainConfig,
  shiftForNextToken,
  plugin as trainer,
  trainFromConfig,
} from '@tunekit/trainer';

/** Focal loss: (1 - p)^2 * -log p per supervised token, summed and divided as the stock loss is. */
export const focalLoss: ComputeLoss = ({ logits, labels, numItemsInBatch }) => {
  const shifted = shiftForNextToken(logits, labels);
  const nll = ops.crossEntropy(shifted.logits, shifted.labels, {
    ignore_index: IGNORE_INDEX,
    reduction: 'none',
  });
  const weight = nll.neg().exp().neg().add(1).pow(2);
  return weight.mul(nll).sum().div(numItemsInBatch);
};

/** A callback of our own, called after the stock ones: it keeps each step's loss. */
class LossHistory implements TrainerCallback {
  readonly id = 'loss_history';
  readonly losses: number[] = [];
  onStepEnd(state: TrainerState) {
    if (state.loss !== undefined) this.losses.push(state.loss);
  }
}

/**
 * The quickstart's job as a config object, with the focal loss and our callback; the rest (data
 * pipeline, evaluation before and after, progress, metrics log, report, saving) is stock.
 * Relative paths in the config start at `configDir`.
 */
export async function trainWithFocalLoss(configDir: string, outputDir: string) {
  // the plugins a config's ids resolve in: the CLI adds those its `plugins:` names
  const container = createContainer([...corePlugins, onnx, lora, templates, trainer]);
  const config = parseTrainConfig(
    {
      model: 'models/tunekit-tiny-chat',
      train: 'examples/quickstart/data/train.jsonl',
      eval: 'examples/quickstart/data/eval.jsonl',
      template: 'chatml',
      max_length: 64,
      peft: { method: 'lora', r: 8, lora_alpha: 16, target_modules: 'all-linear' },
      output_dir: outputDir,
      max_steps: 2,
      generation: { num_samples: 2, max_new_tokens: 8 },
    },
    container,
  );
  const history = new LossHistory();
  const result = await trainFromConfig(config, {
    container,
    configDir,
    computeLoss: focalLoss,
    callbacks: [history],
  });
  return { ...result, losses: history.losses };
}
