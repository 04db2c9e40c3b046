import { describePeftMethod } from '@tunekit/core/testing';
import { prefixTuningMethod, promptTuningMethod } from '../src/index.js';

// prompt tuning has no Linear dispatchers and nothing to merge
describePeftMethod(promptTuningMethod, {
  dispatchers: [],
  config: { num_virtual_tokens: 3 },
  merges: false,
});

// prefix tuning, and with projection: the saved table is the MLP's output (loaded without the MLP)
describePeftMethod(prefixTuningMethod, {
  dispatchers: [],
  config: { num_virtual_tokens: 3 },
  merges: false,
});
describePeftMethod(prefixTuningMethod, {
  dispatchers: [],
  config: { num_virtual_tokens: 3, prefix_projection: true, encoder_hidden_size: 5 },
  merges: false,
});
