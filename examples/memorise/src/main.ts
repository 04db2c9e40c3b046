import { memorise } from './memorise.js';

// The smallest end-to-end job: trace a tiny transformer, differentiate it, and train it with
// AdamW until it can recite one line.
const text = 'tunekit fine-tunes in TypeScript.';
console.log(`Training a 2-layer transformer to memorise: "${text}"`);
const result = await memorise(text, {
  onStep: (step, loss, gradNorm) => {
    if (step === 1 || step % 25 === 0)
      console.log(
        `step ${String(step).padStart(3)}  loss ${loss.toFixed(4)}  grad_norm ${gradNorm.toFixed(3)}`,
      );
  },
});
console.log(
  `final loss ${result.losses.at(-1)?.toFixed(4)} (${result.clippedSteps} steps clipped at max_grad_norm 1)`,
);
console.log(`greedy decoding: "${result.generated}"`);
