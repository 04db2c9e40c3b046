import { describePeftMethod } from '@tunekit/core/testing';
import { promptTuningMethod } from '../src/index.js';

// prompt tuning has no Linear dispatchers and nothing to merge
describePeftMethod(promptTuningMethod, {
  dispatchers: [],
  config: { num_virtual_tokens: 3 },
  merges: false,
});
