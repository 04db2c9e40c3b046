import { describePeftMethod } from '@tunekit/core/testing';
import {
  prefixTuningMethod,
  promptTuningMethod,
  pTuningMethod,
  pTuningV2Method,
} from '../src/index.js';

// the prompt-learning methods have no Linear dispatchers and nothing to merge
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

// P-Tuning v2, the named alias of prefix tuning without projection (saved as PREFIX_TUNING)
describePeftMethod(pTuningV2Method, {
  dispatchers: [],
  config: { num_virtual_tokens: 3 },
  merges: false,
});

describePeftMethod(pTuningMethod, {
  dispatchers: [],
  config: { num_virtual_tokens: 3, encoder_hidden_size: 6 },
  merges: false,
});

describePeftMethod(pTuningMethod, {
  dispatchers: [],
  config: {
    num_virtual_tokens: 3,
    encoder_hidden_size: 4,
    encoder_reparameterization_type: 'LSTM',
    encoder_num_layers: 2,
  },
  merges: false,
});
