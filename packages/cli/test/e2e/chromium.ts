// A copy of packages/trainer/test/chromium.ts (the browser e2e tests will share one helper).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it as it is and never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Installs Debian's chromium when it is missing (CI runs as root on a fresh machine), with
 * `apt-get update` first only when the plain install fails.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0)
    throw new Error(`${CHROMIUM} is missing and this is not root: apt-get install chromium`);
  const install = () =>
    execFileSync('apt-get', ['install', '-y', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    install();
  }
}

/** Headless Chromium; as root it needs --no-sandbox. */
export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}
