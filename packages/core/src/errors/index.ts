export { ShapeError, UserError } from './user-error.js';
