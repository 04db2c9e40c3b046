export { backprop, grad } from './grad.js';
export { type GradcheckInput, type GradcheckResult, gradcheck } from './gradcheck.js';
