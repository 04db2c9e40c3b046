import { runNodeChild } from './node-child.js';

// Peak RSS and seconds per step of full fine-tuning a 32M-parameter Llama on the onnx backend with
// each optimizer, each in its own process: adamw_torch keeps its state in the step graph,
// paged_adamw_32bit and paged_adamw_8bit on the host, updated over chunks:
//   pnpm --filter @tunekit/bench exec tsx --conditions=@tunekit/source src/optimizer-memory.ts
const results = ['adamw_torch', 'paged_adamw_32bit', 'paged_adamw_8bit'].map((optim) =>
  runNodeChild('optimizer-child.ts', [optim]),
);
console.log(JSON.stringify(results, null, 2));
