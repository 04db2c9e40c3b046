import { describe, expect, it } from 'vitest';
import { noAdapterMessage } from './request-device.js';

describe('noAdapterMessage', () => {
  it('names the setting that gives Node a software adapter', () => {
    expect(noAdapterMessage()).toMatch(
      /VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json/,
    );
    expect(noAdapterMessage()).toMatch(/apt-get install chromium libvulkan1/);
  });
});
