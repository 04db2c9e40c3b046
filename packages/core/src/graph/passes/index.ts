export { decompose } from './decompose.js';
export { fuseNarrowMatmuls, NARROW_MATMUL_WIDTH } from './fuse-narrow-matmuls.js';
