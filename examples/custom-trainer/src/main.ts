import { trainCustom } from './train-custom.js';

// LoRA on the bundled model with a focal loss, stopping once the loss settles under a target.
//   pnpm --filter @tunekit/example-custom-trainer start
const outputDir = 'runs/custom-trainer';
const result = await trainCustom({
  outputDir,
  maxSteps: 300,
  targetLoss: 0.02,
  window: 20,
  numSamples: 200,
  print: (line) => console.log(line),
});
const percent = (m: { eval_exact_match?: number }) =>
  `${(100 * (m.eval_exact_match ?? 0)).toFixed(1)}%`;
console.log(
  result.stoppedAt === undefined
    ? `trained ${result.globalStep} steps`
    : `reached the target loss: stopped after step ${result.stoppedAt}`,
);
console.log(`exact match before ${percent(result.before)}, after ${percent(result.after)}`);
console.log(`adapter: ${outputDir}`);
