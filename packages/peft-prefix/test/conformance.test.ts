import { describePeftMethod } from '@tunekit/core/testing';
import { promptTuningMethod, pTuningMethod } from '../src/index.js';

// the prompt-learning methods have no Linear dispatchers and nothing to merge
describePeftMethod(promptTuningMethod, {
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
