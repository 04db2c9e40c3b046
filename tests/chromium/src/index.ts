import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export type { Browser, Page } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it as it is and never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Installs Debian's chromium when it is missing (CI runs as root on a fresh machine), with
 * `apt-get update` first only when the plain install fails.
 */
export function ensureChromium(): void {
  ensureInstalled(CHROMIUM, 'chromium');
}

/** The Vulkan loader Node's Dawn (the `webgpu` package) opens: Debian's libvulkan1. */
export const VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';

/**
 * A software GPU for Dawn in Node: chromium (which brings SwiftShader's Vulkan driver,
 * `@tunekit/backend-webgpu`'s SWIFTSHADER_ICD) and the Vulkan loader, installed when missing.
 */
export function ensureSwiftShaderVulkan(): void {
  ensureChromium();
  ensureInstalled(VULKAN_LOADER, 'libvulkan1');
}

function ensureInstalled(file: string, aptPackage: string): void {
  if (existsSync(file)) return;
  if (process.getuid?.() !== 0)
    throw new Error(`${file} is missing and this is not root: apt-get install ${aptPackage}`);
  // other test packages may be installing at the same time: wait for dpkg's lock, do not fail on it
  const install = () =>
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', aptPackage], {
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

export interface LaunchOptions {
  /**
   * Turn WebGPU on (`--enable-unsafe-webgpu`): headless Chromium on a machine without a GPU then
   * offers SwiftShader, a software adapter (correct, about 1 GFLOP/s).
   */
  readonly webgpu?: boolean;
}

/** Headless Chromium; as root it needs --no-sandbox. */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  ensureChromium();
  const args = [
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ...(opts.webgpu ? ['--enable-unsafe-webgpu'] : []),
  ];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}
