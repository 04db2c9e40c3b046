import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNodeChild } from './node-child.js';
import type { SessionStartResult } from './session-start-child.js';
import type { SessionWorkload } from './workloads.js';

export type { SessionStartResult };

/** A session workload's first start (empty cache) and second start (the cache the first wrote). */
export function runSessionStarts(
  w: SessionWorkload,
  threads: number,
): { first: SessionStartResult; cached: SessionStartResult } {
  const dir = mkdtempSync(join(tmpdir(), 'tunekit-bench-sessions-'));
  try {
    const start = () =>
      runNodeChild<SessionStartResult>('./session-start-child.ts', [w.id, String(threads), dir]);
    const first = start();
    return { first, cached: start() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
