import { resolve } from 'node:path';
import {
  adapterRowsInput,
  type Backend,
  type CausalLM,
  HostTensor,
  inputPositionsOf,
  type PeftModel,
  type Tokenizer,
  UserError,
} from '@tunekit/core';
import { type AdapterRouter, createAdapterRouter } from './adapter-router.js';
import { NO_ADAPTER, type RouterConfig } from './router-config.js';

/** A router as the library API takes it: router.yaml's config and its folder (relative paths start there). */
export interface RouterSetting {
  readonly config: RouterConfig;
  readonly dir: string;
}

/**
 * The adapters a routed model loads: router.yaml's (relative to its folder), then those given by
 * name (`--adapter name=path`, relative to the working directory), which add to or replace them.
 */
export function routedAdapters(
  router: RouterSetting | undefined,
  adapters: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const fromRouter = Object.entries(router?.config.adapters ?? {}).map(
    ([name, path]): [string, string] => [name, resolve(router?.dir ?? '.', path)],
  );
  const all = Object.fromEntries([...fromRouter, ...Object.entries(adapters)]);
  if (NO_ADAPTER in all)
    throw new UserError(
      `'${NO_ADAPTER}' names the base model alone; give the adapter another name`,
    );
  return all;
}

/** A model's adapters switched per request by a router. */
export interface Routing {
  readonly router: AdapterRouter;
  /** Makes `route` the active adapter; `none` disables the adapters (the base model alone). */
  activate(route: string): void;
  /**
   * Whether rows of `route` can share a batch with other such routes' rows (`activatePerRow`):
   * `none`, and adapters that apply per row (LoRA; not a prefix, which changes the whole batch).
   */
  sharesBatch(route: string): boolean;
  /**
   * Activates the adapters of a batch whose rows take `routes` (one per row) and returns the row
   * masks to feed the Generator (`inputs`); a batch of one route needs none.
   */
  activatePerRow(routes: readonly string[]): Record<string, HostTensor>;
  /** The route active now, which names the Generator's graphs (`variant`). */
  current(): string;
  /** The positions left for a prompt and its answer under every route (prefixes take some). */
  readonly inputPositions: number;
  dispose(): void;
}

/** Opens `setting`'s router over a model whose adapters (`peft`) are loaded. */
export async function openRouting(
  loaded: { readonly model: CausalLM; readonly tokenizer: Tokenizer; readonly peft?: PeftModel },
  backend: Backend,
  setting: RouterSetting,
): Promise<Routing> {
  const { model, tokenizer, peft } = loaded;
  if (!peft)
    throw new UserError('a router needs adapters to choose from: give --adapter name=path');
  const { router, dispose } = await createAdapterRouter(setting.config, setting.dir, {
    model,
    peft,
    tokenizer,
    backend,
  });
  let route = peft.activeAdapter;
  const activate = (next: string) => {
    if (next === NO_ADAPTER) peft.disableAdapters();
    else {
      peft.enableAdapters();
      peft.setAdapter(next);
    }
    route = next;
  };
  const sharesBatch = (r: string) => r === NO_ADAPTER || peft.supportsPerRow(r);
  const activatePerRow = (rowRoutes: readonly string[]): Record<string, HostTensor> => {
    const names = [...new Set(rowRoutes)].filter((r) => r !== NO_ADAPTER);
    if (names.length === 0 || (names.length === 1 && rowRoutes.every((r) => r === names[0]))) {
      activate(names[0] ?? NO_ADAPTER);
      return {};
    }
    peft.enableAdapters();
    peft.setAdapterPerRow(names);
    route = `rows:${names.join('+')}`;
    return Object.fromEntries(
      names.map((name) => [
        adapterRowsInput(name),
        HostTensor.from(
          'f32',
          [rowRoutes.length],
          rowRoutes.map((r) => (r === name ? 1 : 0)),
        ),
      ]),
    );
  };
  const routes = [...peft.adapterNames(), NO_ADAPTER];
  const inputPositions = Math.min(
    ...routes.map((r) => {
      activate(r);
      return inputPositionsOf(model);
    }),
  );
  activate(peft.adapterNames()[0]);
  return {
    router,
    activate,
    sharesBatch,
    activatePerRow,
    current: () => route,
    inputPositions,
    dispose,
  };
}
