import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { examplesDir, tinyRun, tunekitBin, workDir } from './harness.js';

const work = await workDir('orphans');

/**
 * Every process on the machine that is not a zombie (or dead), with its parent, from Linux's
 * /proc/<pid>/stat: `pid (comm) state ppid ...`, where comm may itself hold spaces and parentheses.
 */
function processes(): { pid: number; ppid: number }[] {
  const found: { pid: number; ppid: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // it ended between the listing and the read
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z' && state !== 'X') found.push({ pid: Number(name), ppid: Number(ppid) });
  }
  return found;
}

/** `root` and every living process below it. */
function tree(root: number): number[] {
  const all = processes();
  const found = [root];
  for (let i = 0; i < found.length; i++)
    for (const { pid, ppid } of all) if (ppid === found[i]) found.push(pid);
  return found.filter((pid) => all.some((p) => p.pid === pid));
}

describe('tunekit and kill -9', () => {
  it('leaves no process running once the tunekit process is killed', async () => {
    // a training far too long to end by itself, killed once its model has loaded; through the
    // checkout's bin, whose source mode (tsx registered in the same process) is what could leave one
    const args = ['train', join(examplesDir, 'quickstart.yaml'), ...tinyRun(join(work, 'run'))];
    const launcher = spawn(process.execPath, [tunekitBin, ...args, '--set', 'max_steps=100000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = launcher.pid ?? 0;
    let started: number[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        launcher.on('exit', (code) => reject(new Error(`tunekit exited early (${code})`)));
        launcher.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          if (chunk.includes('model: ')) resolve();
        });
      });
      started = tree(pid);
      // the listing sees the launcher itself, so an empty one cannot pass the check below
      expect(started).toContain(pid);
      launcher.kill('SIGKILL');
      // everything it started is gone within a short, bounded wait
      let left = started;
      for (let waited = 0; waited < 5000 && left.length > 0; waited += 100) {
        await sleep(100);
        left = started.filter((p) => processes().some((q) => q.pid === p));
      }
      expect(left).toEqual([]);
    } finally {
      for (const p of tree(pid).concat(started)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }, 120_000);
});
