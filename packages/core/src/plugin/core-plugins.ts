import { referenceBackendPlugin } from '../backend/reference/plugin.js';
import { modelFamiliesPlugin } from '../models/plugin.js';
import { coreOptimizersPlugin } from '../train/optim/plugin.js';
import type { TunekitPlugin } from './plugin.js';

/** core's own plugins, passed to `createContainer` beside the packages' ones. */
export const corePlugins: readonly TunekitPlugin[] = Object.freeze([
  referenceBackendPlugin,
  modelFamiliesPlugin,
  coreOptimizersPlugin,
]);
