import { describe, expect, it } from 'vitest';
import { runTrainer } from './trainer-overhead.js';
import { workloadOfKind } from './workload-by-id.js';

// The trainer bench runs end to end and its figures add up; how fast is `pnpm bench`'s business.
describe('runTrainer', () => {
  it('trains the tiny trainer workload through the stock pipeline and splits its steps', () => {
    const w = workloadOfKind('trainer-tiny-lora', 'trainer');
    const r = runTrainer(w, 1);
    expect(r.examples).toBeGreaterThan(0.9 * w.examples); // a few may be duplicates
    expect(r.batches_per_epoch).toBeGreaterThanOrEqual(w.warmup + w.steps);
    expect(r.compiled_graphs).toEqual([`${w.batch}x${w.seq}:packed:step`]);
    expect(r.backend_s).toBeGreaterThan(0);
    expect(r.step_s).toBeGreaterThanOrEqual(r.backend_s);
    expect(r.overhead_share).toBeGreaterThan(0);
    expect(r.overhead_share).toBeLessThan(1);
    expect(r.data_s).toBeGreaterThan(0);
    expect(r.callbacks_s).toBeGreaterThan(0);
    expect(Number.isFinite(r.final_loss)).toBe(true);
  });
});
