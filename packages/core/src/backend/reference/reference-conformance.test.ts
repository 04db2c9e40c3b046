import { describeBackendConformance } from '../../testing/index.js';
import { ReferenceBackend } from './reference-backend.js';

// The reference backend in f32 against itself in f64: checks the suite, and that f32 kernels
// stay within the tolerances every other backend is held to.
describeBackendConformance('reference f32', () => new ReferenceBackend({ precision: 'f32' }));
