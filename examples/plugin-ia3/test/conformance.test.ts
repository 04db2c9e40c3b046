import { describePeftMethod } from '@tunekit/core/testing';
import { denseIa3Dispatcher, ia3Method } from '../src/index.js';

describePeftMethod(ia3Method, { dispatchers: [denseIa3Dispatcher] });
