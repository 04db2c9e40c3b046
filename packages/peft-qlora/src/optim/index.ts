export { OPTIMIZER_BLOCKSIZE } from './bnb-adam-update.js';
export { type BnbAdamWOptions, bnbAdamW } from './bnb-adamw.js';
export { BNB_OPTIMIZERS } from './bnb-optimizers.js';
