import { plugin as onnx } from '@tunekit/backend-onnx';
import {
  corePlugins,
  createContainer,
  loadCausalLM,
  ops,
  PeftModel,
  resolveBackend,
  Tokenizer,
} from '@tunekit/core';
import { denseLinearDispatcher, plugin as lora, loraMethod } from '@tunekit/peft-lora';
import { plugin as templates } from '@tunekit/templates';
import {
  builtinCallbacks,
  type ComputeLoss,
  IGNORE_INDEX,
  loadSftData,
  parseTrainingArguments,
  shiftForNextToken,
  Trainer,
  plugin as trainer,
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

/** LoRA on a model folder with the stock data pipeline and callbacks, and a loss of our own. */
export async function trainWithFocalLoss(modelDir: string, dataDir: string, outputDir: string) {
  const container = createContainer([...corePlugins, onnx, lora, templates, trainer]);
  const backend = await resolveBackend(container, 'onnx');
  try {
    const tokenizer = await Tokenizer.fromFolder(modelDir);
    const { model } = await loadCausalLM(modelDir, { families: container });
    const peft = PeftModel.create(
      model,
      loraMethod,
      { r: 8, lora_alpha: 16, target_modules: 'all-linear' },
      { dispatchers: [denseLinearDispatcher], modelType: 'llama', seed: 1 },
    );
    const data = await loadSftData(
      { train: 'train.jsonl', template: 'chatml', max_length: 64 },
      { container, tokenizer, baseDir: dataDir, tokenizerDir: modelDir },
    );
    const args = parseTrainingArguments({
      output_dir: outputDir,
      max_steps: 2,
      save_strategy: 'no',
    });
    const result = await new Trainer({
      backend,
      model,
      peft,
      args,
      trainData: (epoch) => data.train(epoch),
      computeLoss: focalLoss,
      callbacks: builtinCallbacks(args),
    }).train();
    await peft.save(outputDir, { baseModelNameOrPath: modelDir });
    return result;
  } finally {
    await backend.dispose();
  }
}
