export { type BnbAdamWOptions, bnbAdamW, OPTIMIZER_BLOCKSIZE } from './bnb-adamw.js';
export { BNB_OPTIMIZERS } from './bnb-optimizers.js';
