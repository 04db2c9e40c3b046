import { OnnxBackend } from '@tunekit/backend-onnx';
import {
  buildCausalLM,
  buildTrainStep,
  corePlugins,
  createContainer,
  GraphBuilder,
  HostTensor,
  ops,
  randomNormal,
  resolveOptimizer,
  seededRandom,
  TraceContext,
  TrainStepRunner,
} from '@tunekit/core';
import { plugin as qlora } from '@tunekit/peft-qlora';

// Three steps of full fine-tuning (every parameter trains) with the optimizer named by argv[2];
// prints the losses, seconds per step, the parameter count and this process's peak RSS.
const config = {
  model_type: 'llama',
  vocab_size: 8192,
  hidden_size: 512,
  intermediate_size: 1376,
  num_hidden_layers: 8,
  num_attention_heads: 8,
  num_key_value_heads: 4,
};
const [B, T] = [1, 64];
const optim = process.argv[2] ?? 'adamw_torch';

const { model } = buildCausalLM(config);
const random = seededRandom(7);
let params = 0;
for (const [, p] of model.namedParameters()) {
  p.value = HostTensor.from(
    'f32',
    p.shape,
    randomNormal(p.value.size, random).map((v) => v * 0.02),
  );
  p.trainable = true;
  params += p.value.size;
}
const b = new GraphBuilder();
const ctx = new TraceContext(b, model);
const ids = b.input('input_ids', [B, T], 'i32');
const { logits } = model.forward(ctx, {
  input_ids: ids,
  position_ids: b.input('position_ids', [B, T], 'i32'),
});
const loss = ops.crossEntropy(
  logits.reshape([B * T, config.vocab_size]),
  b.input('labels', [B * T], 'i32'),
);
const optimizer = resolveOptimizer(createContainer([...corePlugins, qlora]), optim, {
  betas: [0.9, 0.999],
  eps: 1e-8,
});
const step = buildTrainStep(loss, {
  optimizer,
  groups: [{ lr: 1e-3, weight_decay: 0.01 }],
  maxGradNorm: 1,
});
const backend = new OnnxBackend({ threads: 1 });
const runner = TrainStepRunner.create(backend, step, ctx.weights());
const tokens = Array.from({ length: B * T }, () => Math.floor(random() * config.vocab_size));
const feeds = {
  input_ids: HostTensor.from('i32', [B, T], tokens),
  position_ids: HostTensor.from(
    'i32',
    [B, T],
    tokens.map((_, i) => i),
  ),
  labels: HostTensor.from('i32', [B * T], [...tokens.slice(1), tokens[0]]),
};
const rssBefore = process.resourceUsage().maxRSS;
const losses: number[] = [];
const seconds: number[] = [];
for (let s = 0; s < 3; s++) {
  const start = performance.now();
  losses.push((await runner.run(feeds)).loss);
  seconds.push((performance.now() - start) / 1000);
}
console.log(
  JSON.stringify({
    optim,
    params,
    losses,
    seconds_per_step: seconds.slice(1).reduce((a, x) => a + x, 0) / (seconds.length - 1),
    first_step_seconds: seconds[0],
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    rss_before_steps_mb: Math.round(rssBefore / 1024),
  }),
);
runner.dispose();
backend.dispose();
