export { decompose } from './decompose.js';
