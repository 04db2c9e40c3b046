import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SWIFTSHADER_ICD } from '../src/device/swiftshader.js';

/** The Vulkan loader Dawn opens; Debian's libvulkan1. */
const VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';

/**
 * vitest global setup: the software adapter CI runs on. Installs Debian's chromium (for
 * SwiftShader's Vulkan driver) and libvulkan1 (the loader) when missing, as the trainer's browser
 * tests install chromium, and points the loader at SwiftShader unless VK_ICD_FILENAMES is set
 * (on a GPU machine, set it to the GPU's driver's ICD file, as bench/device/run.sh does: then
 * nothing is installed, since that machine may have no package mirror).
 */
export default function setup(): void {
  process.env.VK_ICD_FILENAMES ||= SWIFTSHADER_ICD;
  if (process.env.VK_ICD_FILENAMES !== SWIFTSHADER_ICD) return;
  const missing = [
    ...(existsSync(SWIFTSHADER_ICD) ? [] : ['chromium']),
    ...(existsSync(VULKAN_LOADER) ? [] : ['libvulkan1']),
  ];
  if (missing.length > 0) aptInstall(missing);
}

function aptInstall(packages: readonly string[]): void {
  if (process.getuid?.() !== 0)
    throw new Error(
      `${packages.join(', ')} missing and this is not root: apt-get install ${packages.join(' ')}`,
    );
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
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
