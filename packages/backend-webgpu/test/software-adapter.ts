import { existsSync } from 'node:fs';
import { aptInstall } from '@tunekit/test-chromium';
import { SWIFTSHADER_ICD } from '../src/device/swiftshader.js';

/** The Vulkan loader Dawn opens; Debian's libvulkan1. */
const VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';

/**
 * vitest global setup: the software adapter CI runs on. Installs Debian's chromium (for
 * SwiftShader's Vulkan driver) and libvulkan1 (the loader) when missing, as the trainer's browser
 * tests install chromium, and points the loader at SwiftShader unless VK_ICD_FILENAMES is set
 * (on a GPU machine, set it to the GPU's driver or leave it empty: VK_ICD_FILENAMES=).
 */
export default function setup(): void {
  const missing = [
    ...(existsSync(SWIFTSHADER_ICD) ? [] : ['chromium']),
    ...(existsSync(VULKAN_LOADER) ? [] : ['libvulkan1']),
  ];
  if (missing.length > 0) aptInstall(missing);
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
}
