import { OnnxBackend } from '@tunekit/backend-onnx';
import { causalLmGradGraph } from '@tunekit/core/testing';

// One backward pass of a 16-layer Llama on the onnx backend, with or without gradient
// checkpointing (argv[2] 'on' | 'off'); prints its loss, seconds and this process's peak RSS.
const config = {
  model_type: 'llama',
  vocab_size: 512,
  hidden_size: 256,
  intermediate_size: 688,
  num_hidden_layers: 16,
  num_attention_heads: 8,
  num_key_value_heads: 4,
};
const on = process.argv[2] === 'on';
const { graph, feeds } = causalLmGradGraph(config, on, { batch: 4, seq: 256 });
const backend = new OnnxBackend({ threads: 1 });
const exe = backend.compile(graph);
const rssBefore = process.resourceUsage().maxRSS;
const start = performance.now();
const out = await exe.run(feeds, { fetch: ['loss'] });
const seconds = (performance.now() - start) / 1000;
console.log(
  JSON.stringify({
    gradient_checkpointing: on,
    loss: out.loss.item(),
    seconds,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    rss_before_run_mb: Math.round(rssBefore / 1024),
  }),
);
backend.dispose();
