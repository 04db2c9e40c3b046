export {
  AdapterRouter,
  createAdapterRouter,
  type PooledStateOf,
  type RouteDecision,
  type RouterModel,
} from './adapter-router.js';
export { type FitRouterHeadOptions, fitRouterHead } from './fit-router-head.js';
export { PooledHiddenStates } from './pooled-hidden-states.js';
export { firstMatchingRule, type RouteRequest } from './route-rules.js';
export {
  NO_ADAPTER,
  parseRouterConfig,
  type RouteRule,
  type RouterConfig,
  routerConfigSchema,
} from './router-config.js';
export { type RouterExample, readRouterExamples } from './router-examples.js';
export {
  ROUTER_HEAD_CONFIG_FILE,
  ROUTER_HEAD_WEIGHTS_FILE,
  RouterHead,
  type RouterHeadConfig,
  type RouterHeadWeights,
} from './router-head.js';
export { openRouting, type RouterSetting, type Routing, routedAdapters } from './routing.js';
