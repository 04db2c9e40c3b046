import { runNodeChild } from './node-child.js';

// Peak RSS and step time of one attention layer's forward and backward (SmolLM2-135M's heads,
// batch 1) at several sequence lengths, flash_attention's row-block Loops against the dense
// decomposition, each in its own process:
//   pnpm --filter @tunekit/bench exec tsx --conditions=@tunekit/source src/attention-memory.ts [1024,2048]
const seqs = (process.argv[2] ?? '1024,2048').split(',');
for (const seq of seqs) {
  for (const mode of ['dense', 'blocks']) {
    console.log(JSON.stringify(runNodeChild('attention-child.ts', [mode, seq])));
  }
}
