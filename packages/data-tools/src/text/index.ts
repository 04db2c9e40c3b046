export { candidatePairs, type LshBands, lshBands } from './lsh.js';
export { hashString, jaccard, minhashSeeds, minhashSignature, shingles } from './minhash.js';
export { normalizeText, TEXT_FIELDS, type TextField, textOf, words } from './normalize.js';
