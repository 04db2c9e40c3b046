import { afterEach, describe, expect, it, vi } from 'vitest';
import { StepClock, summarizeSplits } from './step-clock.js';
import { Stopwatch } from './stopwatch.js';
import { timedCallback } from './timed-callback.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Stopwatch', () => {
  it('adds the time of sync calls, of promises until they settle, and of calls that throw', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const watch = new Stopwatch();
    expect(
      watch.time(() => {
        now += 2000;
        return 'done';
      }),
    ).toBe('done');
    expect(watch.seconds).toBe(2);
    let settle = () => {};
    const pending = watch.time(() => new Promise<void>((resolve) => (settle = resolve)));
    now += 500;
    expect(watch.seconds).toBe(2); // not settled yet
    settle();
    await pending;
    expect(watch.seconds).toBe(2.5);
    expect(() =>
      watch.time(() => {
        now += 1000;
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(watch.seconds).toBe(3.5);
  });
});

describe('StepClock', () => {
  it('splits each step after the warm-up into backend, data, callbacks and the rest', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const watches = { backend: new Stopwatch(), data: new Stopwatch(), callbacks: new Stopwatch() };
    const clock = new StepClock(watches);
    // step k takes 100 ms: 90 in the backend, 4 building data, 3 in callbacks, 3 elsewhere;
    // the first (warm-up) step takes 1 s
    const step = (ms: number) => {
      now += ms;
      watches.backend.seconds += (ms - 10) / 1000;
      watches.data.seconds += 0.004;
      watches.callbacks.seconds += 0.003;
      clock.onStepEnd();
    };
    step(1000);
    for (let k = 0; k < 4; k++) step(100);
    const splits = clock.splits(1);
    expect(splits).toHaveLength(4);
    for (const s of splits) {
      expect(s.step).toBeCloseTo(0.1, 12);
      expect(s.backend).toBeCloseTo(0.09, 12);
      expect(s.data).toBeCloseTo(0.004, 12);
      expect(s.callbacks).toBeCloseTo(0.003, 12);
    }
    const summary = summarizeSplits(splits);
    expect(summary.step_s).toBeCloseTo(0.1, 12);
    expect(summary.overhead_s).toBeCloseTo(0.01, 12);
    expect(summary.loop_s).toBeCloseTo(0.003, 12);
    expect(summary.overhead_share).toBeCloseTo(0.1, 12);
    expect(clock.lastStepEnd - clock.firstStepEnd).toBeCloseTo(0.4, 12);
  });

  it('weighs the share by time, so one slow step counts for its length', () => {
    const splits = [
      { step: 0.1, backend: 0.1, data: 0, callbacks: 0 },
      { step: 0.3, backend: 0.2, data: 0, callbacks: 0.1 },
    ];
    expect(summarizeSplits(splits).overhead_share).toBeCloseTo(0.25, 12);
  });
});

describe('timedCallback', () => {
  it('keeps the id and the hooks a callback has, and times each call', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const watch = new Stopwatch();
    const seen: number[] = [];
    const timed = timedCallback(
      {
        id: 'probe',
        onStepEnd(state) {
          now += 5;
          seen.push(state.step);
          return { shouldTrainingStop: state.step === 2 };
        },
      },
      watch,
    );
    expect(timed.id).toBe('probe');
    expect(timed.onLog).toBeUndefined();
    const state = (step: number) =>
      ({ step }) as Parameters<NonNullable<typeof timed.onStepEnd>>[0];
    expect(await timed.onStepEnd?.(state(1))).toEqual({ shouldTrainingStop: false });
    expect(await timed.onStepEnd?.(state(2))).toEqual({ shouldTrainingStop: true });
    expect(seen).toEqual([1, 2]);
    expect(watch.seconds).toBeCloseTo(0.01, 12);
  });
});
