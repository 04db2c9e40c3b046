import { runNodeChild } from './node-child.js';

// Peak RSS of one backward pass of a 16-layer Llama (hidden 256, batch 4 x seq 256) on the onnx
// backend with and without gradient_checkpointing, each in its own process:
//   pnpm --filter @tunekit/bench exec tsx --conditions=@tunekit/source src/checkpointing-memory.ts
const results = ['off', 'on'].map((mode) => runNodeChild('checkpointing-child.ts', [mode]));
console.log(JSON.stringify(results, null, 2));
