import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export type { Browser, Page } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it as it is and never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Installs Debian packages that are missing (CI runs as root on a fresh machine), with
 * `apt-get update` first only when the plain install fails. Other test packages may be installing
 * at the same time: it waits for dpkg's lock rather than failing on it.
 */
export function aptInstall(packages: readonly string[]): void {
  if (process.getuid?.() !== 0)
    throw new Error(
      `${packages.join(', ')} missing and this is not root: apt-get install ${packages.join(' ')}`,
    );
  const install = () =>
    execFileSync(
      'apt-get',
      ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...packages],
      { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
    );
  try {
    install();
  } catch {
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update'], { stdio: 'inherit' });
    install();
  }
}

/** Installs Debian's chromium when it is missing. */
export function ensureChromium(): void {
  if (!existsSync(CHROMIUM)) aptInstall(['chromium']);
}

/** The Vulkan loader Node's Dawn (the `webgpu` package) opens: Debian's libvulkan1. */
const VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';

/**
 * A software GPU for Dawn in Node: chromium (its chromium-common brings SwiftShader's Vulkan
 * driver, `@tunekit/backend-webgpu`'s SWIFTSHADER_ICD) and the Vulkan loader, installed when missing.
 */
export function ensureSwiftShaderVulkan(): void {
  const missing = [
    ...(existsSync(CHROMIUM) ? [] : ['chromium']),
    ...(existsSync(VULKAN_LOADER) ? [] : ['libvulkan1']),
  ];
  if (missing.length > 0) aptInstall(missing);
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
