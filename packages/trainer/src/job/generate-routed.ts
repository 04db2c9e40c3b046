import { type GeneratedRow, Generator } from '@tunekit/core';
import { TextStream } from '../chat/index.js';
import {
  openRouting,
  type RouteDecision,
  type RouteRequest,
  type RouterSetting,
  routedAdapters,
} from '../router/index.js';
import { decodingConfig } from './decoding-config.js';
import type { GeneratedText, GenerateTextOptions } from './generate-text.js';
import { openInferenceBackend } from './inference-backend.js';
import { loadInferenceModel } from './inference-model.js';

/** What `generateRouted` continues: several prompts, each answered by the adapter a router picks. */
export interface GenerateRoutedOptions
  extends Omit<GenerateTextOptions, 'prompt' | 'adapter' | 'adapters' | 'router' | 'onText'> {
  /** The texts to continue; a router reads each as the latest user message (or a request with a system message). */
  readonly prompts: readonly (string | RouteRequest)[];
  /** Adapters by name (folders relative to the working directory), besides router.yaml's. */
  readonly adapters?: Readonly<Record<string, string>>;
  readonly router: RouterSetting;
  /** Called with each prompt's new text as it becomes final. */
  readonly onText?: (row: number, text: string) => void;
}

/** One prompt's continuation, with the route that produced it. */
export interface RoutedText extends GeneratedText {
  readonly route: RouteDecision;
}

/**
 * Routes every prompt (`AdapterRouter`: rules, then the classifier, then the default) and
 * continues them in as few batches as the methods allow: the rows of every LoRA-family adapter and
 * of the base model share one batch, each adapter applied to its own rows by a per-row mask
 * (`PeftModel.setAdapterPerRow`); a prefix-family adapter's rows make a batch of their own, since
 * its prefix is the whole batch's. Results come back in the prompts' order.
 *
 * @example
 * const rows = await generateRouted({ container, model: 'models/tiny', prompts: ['What is 2 + 3?'],
 *   router: { config: parseRouterConfig({ adapters: { math: 'runs/math' }, rules: [] }), dir: '.' } });
 */
export async function generateRouted(options: GenerateRoutedOptions): Promise<RoutedText[]> {
  const { container, router } = options;
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const loaded = await loadInferenceModel(
    container,
    { model: options.model, adapters: routedAdapters(router, options.adapters) },
    { allowNonfinite: options.allowNonfinite === true, warn: (m) => warn(`warning: ${m}`) },
  );
  const { model, tokenizer } = loaded;
  const config = decodingConfig(loaded, options.generation ?? {});
  const requests = options.prompts.map((p) => (typeof p === 'string' ? { message: p } : p));
  const promptIds = requests.map((r) => tokenizer.encode(r.message));
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const eos = new Set(config.eos_token_id);
  const backend = await openInferenceBackend(container, options, loaded.record);
  const routing = await openRouting(loaded, backend, router);
  const generator = new Generator(model, backend, {
    maxLength: Math.max(...promptIds.map((p) => p.length)) + config.max_new_tokens,
    variant: routing.current,
  });
  try {
    const routes = await routing.router.routeAll(requests);
    const results: RoutedText[] = new Array(requests.length);
    // rows of LoRA adapters and of the base share one batch (per-row masks); each prefix its own
    const batchOf = (adapter: string) => (routing.sharesBatch(adapter) ? '' : adapter);
    for (const batchKey of new Set(routes.map((r) => batchOf(r.adapter)))) {
      const rows = routes.flatMap((r, i) => (batchOf(r.adapter) === batchKey ? [i] : []));
      const streams = rows.map(
        (i) =>
          options.onText &&
          new TextStream(decode, (t) => options.onText?.(i, t), config.stop_strings),
      );
      const inputs = routing.activatePerRow(rows.map((i) => routes[i].adapter));
      const generated: GeneratedRow[] = await generator.generate(
        rows.map((i) => promptIds[i]),
        config,
        {
          seed: options.seed ?? 0,
          decode,
          inputs,
          onToken: (b, token) => {
            if (!eos.has(token)) streams[b]?.push(token);
          },
        },
      );
      generated.forEach((row, b) => {
        const i = rows[b];
        const text = row.text ?? decode(row.tokens);
        streams[b]?.end(text);
        results[i] = {
          promptIds: promptIds[i],
          tokens: row.tokens,
          text,
          finishReason: row.finishReason,
          route: routes[i],
        };
      });
    }
    return results;
  } finally {
    generator.dispose();
    routing.dispose();
    await backend.dispose();
  }
}
