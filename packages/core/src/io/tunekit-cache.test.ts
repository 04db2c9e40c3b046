import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tunekitCacheDir } from './tunekit-cache.js';

describe('tunekitCacheDir', () => {
  it('is TUNEKIT_CACHE_DIR, else under XDG_CACHE_HOME, else ~/.cache, never the hub cache', () => {
    expect(tunekitCacheDir({ TUNEKIT_CACHE_DIR: '/c/t', XDG_CACHE_HOME: '/x' })).toBe('/c/t');
    expect(tunekitCacheDir({ XDG_CACHE_HOME: '/x', HF_HOME: '/h' })).toBe(join('/x', 'tunekit'));
    expect(tunekitCacheDir({ HF_HUB_CACHE: '/h' })).toBe(join(homedir(), '.cache', 'tunekit'));
  });
});
