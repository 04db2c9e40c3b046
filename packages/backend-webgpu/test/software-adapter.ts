import { ensureSwiftShaderVulkan } from '@tunekit/test-chromium';
import { SWIFTSHADER_ICD } from '../src/device/swiftshader.js';

/**
 * vitest global setup: the software adapter CI runs on. Installs Debian's chromium (for
 * SwiftShader's Vulkan driver) and libvulkan1 (the loader) when missing, and points the loader at
 * SwiftShader unless VK_ICD_FILENAMES is set (on a GPU machine, set it to the GPU's driver's ICD
 * file, as bench/device/run.sh does: then nothing is installed, since that machine may have no
 * package mirror).
 */
export default function setup(): void {
  process.env.VK_ICD_FILENAMES ||= SWIFTSHADER_ICD;
  if (process.env.VK_ICD_FILENAMES === SWIFTSHADER_ICD) ensureSwiftShaderVulkan();
}
