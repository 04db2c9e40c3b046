// Loaded with `node --import` (through NODE_OPTIONS) by a test: any import of a package named in
// TUNEKIT_FORBID_IMPORTS (comma-separated) fails, to show that a command never loads it.
import { register } from 'node:module';

register(new URL('./forbid-imports-hooks.mjs', import.meta.url), {
  data: { forbidden: (process.env.TUNEKIT_FORBID_IMPORTS ?? '').split(',').filter(Boolean) },
});
