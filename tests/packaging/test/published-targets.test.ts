import { describe, expect, it } from 'vitest';
import { publishedTargets } from './dist-imports.js';

describe('publishedTargets', () => {
  it('leaves out the workspace-only @tunekit/source condition, with any conditions nested in it', () => {
    const hostFolder = {
      '@tunekit/source': {
        browser: './src/io/host-folder.browser.ts',
        default: './src/io/host-folder.node.ts',
      },
      browser: './dist/io/host-folder.browser.js',
      default: './dist/io/host-folder.node.js',
    };
    expect(publishedTargets(hostFolder)).toEqual([
      './dist/io/host-folder.browser.js',
      './dist/io/host-folder.node.js',
    ]);
    expect(publishedTargets('./dist/index.js')).toEqual(['./dist/index.js']);
  });
});
