import { describe, expect, it } from 'vitest';
import type { Backend, Executable } from '../../backend/backend.js';
import { ReferenceBackend } from '../../backend/reference/index.js';
import { HostTensor } from '../../tensor/index.js';
import { compareOnCase } from './backend-conformance.js';
import { OP_CASES } from './op-cases.js';
import { F32_TOLERANCE } from './tolerances.js';

/** A reference backend whose results are off by `delta`: the suite must notice. */
function skewed(delta: number): Backend {
  const inner = new ReferenceBackend();
  return {
    id: 'skewed',
    upload: (t) => inner.upload(t),
    download: (t) => inner.download(t),
    dispose: () => inner.dispose(),
    compile(graph): Executable {
      const exe = inner.compile(graph);
      return {
        graph,
        dispose: () => exe.dispose(),
        async run(feeds, opts) {
          const out = await exe.run(feeds, opts);
          const bump = (t: HostTensor) =>
            HostTensor.from(
              t.dtype,
              t.shape,
              t.toFloat64().map((v) => v + delta),
            );
          return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, bump(t)]));
        },
      };
    },
  };
}

describe('conformance comparison', () => {
  it('accepts a backend within tolerance and rejects one outside it', async () => {
    const c = OP_CASES.matmul[0];
    expect(await compareOnCase(() => skewed(1e-7), c, 1, F32_TOLERANCE)).toBeNull();
    expect(await compareOnCase(() => skewed(1e-3), c, 1, F32_TOLERANCE)).toMatch(/^y: element 0/);
  });

  it('covers every op with at least one case', () => {
    for (const [op, cases] of Object.entries(OP_CASES)) expect(cases.length, op).toBeGreaterThan(0);
  });
});
