import { type ModelQuantizer, UserError } from '@tunekit/core';
import { quantizedLinears } from '../quantized-linears.js';
import { Linear4bit } from './linear-4bit.js';

/** transformers' block size for 4-bit weights (BitsAndBytesConfig has no setting for it). */
const BLOCKSIZE = 64;

/**
 * transformers' bitsandbytes quantizer for `load_in_4bit` (`replace_with_bnb_linear`): every
 * torch.nn.Linear becomes a Linear4bit, except the output head and `llm_int8_skip_modules`, so the
 * decoder layers' projections are quantized and embeddings, norms and lm_head keep full precision.
 */
export const bitsAndBytesQuantizer: ModelQuantizer = {
  id: 'bitsandbytes',
  quantize(model, config, { outputHead }) {
    if (!config.load_in_4bit) return;
    const settings = {
      quant_type: config.bnb_4bit_quant_type,
      blocksize: BLOCKSIZE,
      compress_statistics: config.bnb_4bit_use_double_quant,
    };
    const targets = quantizedLinears(model, outputHead, config.llm_int8_skip_modules);
    if (targets.length === 0) {
      throw new UserError(
        'load_in_4bit: the model has no torch.nn.Linear layer to quantize (HF Conv1D, as in GPT-2, is not supported yet)',
      );
    }
    for (const [path, m] of targets) {
      const { inFeatures, outFeatures, hasBias } = m;
      model.setModule(path, new Linear4bit(inFeatures, outFeatures, hasBias, settings));
    }
  },
};
