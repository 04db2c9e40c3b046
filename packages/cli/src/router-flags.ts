import { dirname, resolve } from 'node:path';
import { UserError } from '@tunekit/core';
import {
  type RouteDecision,
  type RouterSetting,
  routedAdapters,
  routerConfigSchema,
} from '@tunekit/trainer';
import { loadYamlConfig } from './config/yaml-config.js';

/** `--adapter` as chat and generate take it: one folder, or `name=folder` once per adapter with --router. */
export const ADAPTER_FLAG_HELP =
  'a PEFT adapter folder to apply; with --router, name=folder once per adapter it chooses between (repeatable)';

export const ROUTER_FLAG_HELP =
  'router.yaml: rules and a learned classifier that pick an adapter (or none) per message; see docs/guides/router.md';

/** What the library API takes for `--adapter` and `--router`. */
export interface AdapterChoice {
  readonly adapter?: string;
  readonly adapters?: Readonly<Record<string, string>>;
  readonly router?: RouterSetting;
  /** The folder whose training record names plugins to load: the (first) adapter's. */
  readonly pluginFolder?: string;
}

/**
 * Reads `--adapter` (repeatable) and `--router`: without a router one plain folder; with one, each
 * `--adapter` is `name=folder` (router.yaml may name more, relative to its own folder).
 */
export async function adapterChoice(
  adapterFlags: readonly string[] = [],
  routerFile?: string,
): Promise<AdapterChoice> {
  if (routerFile === undefined) {
    if (adapterFlags.length > 1)
      throw new UserError(
        '--adapter: several adapters need --router <router.yaml> to choose between them',
      );
    return { adapter: adapterFlags[0], pluginFolder: adapterFlags[0] };
  }
  const adapters: Record<string, string> = {};
  for (const flag of adapterFlags) {
    const eq = flag.indexOf('=');
    if (eq <= 0 || eq === flag.length - 1)
      throw new UserError(
        `--adapter ${flag}: with --router, name each adapter: --adapter name=folder`,
      );
    adapters[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  const router = {
    config: await loadYamlConfig(routerFile, routerConfigSchema),
    dir: dirname(resolve(routerFile)),
  };
  const first = Object.values(routedAdapters(router, adapters))[0];
  return { adapters, router, pluginFolder: first };
}

/** `[route: math (rule 1)]`, `[route: none (classifier, 0.83)]`, `[route: none (default)]`. */
export function describeRoute(route: RouteDecision): string {
  const why =
    route.by === 'rule'
      ? `rule ${(route.rule ?? 0) + 1}`
      : route.by === 'classifier'
        ? `classifier, ${(route.confidence ?? 0).toFixed(2)}`
        : 'default';
  return `[route: ${route.adapter} (${why})]`;
}
