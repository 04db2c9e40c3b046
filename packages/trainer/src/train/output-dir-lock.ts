import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '@tunekit/core';

/** The lock file a training run holds in its output_dir, with the pid of its process. */
export const LOCK_FILE = '.tunekit-train.lock';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** A held lock on an output_dir; `release` (idempotent) removes it. */
export interface OutputDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Locks `outputDir` (which must exist) for this process: `.tunekit-train.lock` is created with
 * O_EXCL and holds the pid, so a second run into the folder fails naming the folder and that pid.
 * A lock whose process is gone (a run killed with SIGKILL) is taken over, with a warning. The lock
 * is removed by `release`, and also when SIGINT or SIGTERM ends the process.
 */
export async function lockOutputDir(
  outputDir: string,
  warn: (message: string) => void,
): Promise<OutputDirLock> {
  const path = join(outputDir, LOCK_FILE);
  while (!(await tryCreate(path))) {
    const holder = await readPid(path);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder !== null && isAlive(holder)) {
      throw new UserError(
        `output_dir: ${outputDir} is in use by another training run (pid ${holder}, lock file ` +
          `${path}); wait for it to end, or choose another output_dir`,
      );
    }
    await takeOver(path, holder);
    warn(
      `output_dir: took over the lock ${path} of a run that is gone (` +
        `${holder === null ? 'no pid recorded' : `pid ${holder}`}); it ended without releasing it`,
    );
  }
  return held(path);
}

/** Creates the lock with O_EXCL and writes our pid; false when it exists already. */
async function tryCreate(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

/** The pid in the lock file; null when unreadable or empty, undefined when the file is gone. */
async function readPid(path: string): Promise<number | null | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Signal 0 checks that a process exists: ESRCH says it does not, EPERM that it is another user's. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock of `stalePid`. It is first renamed to a name of our own (only one of two
 * runs taking over at once succeeds), then checked: a lock that a live run created meanwhile is put
 * back and reported.
 */
async function takeOver(path: string, stalePid: number | null): Promise<void> {
  const aside = `${path}.${process.pid}.stale`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const pid = await readPid(aside);
  if (pid !== stalePid && pid !== undefined && pid !== null && isAlive(pid)) {
    await rename(aside, path);
    throw new UserError(
      `output_dir: ${path} was just taken by another training run (pid ${pid}); choose another output_dir`,
    );
  }
  await unlink(aside).catch(() => {});
}

function held(path: string): OutputDirLock {
  let released = false;
  const removeSync = () => {
    if (released) return;
    released = true;
    for (const signal of SIGNALS) process.off(signal, onSignal);
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  // the process dies of the signal as it would have, without the lock
  const onSignal = (signal: NodeJS.Signals) => {
    removeSync();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    path,
    release: async () => removeSync(),
  };
}
