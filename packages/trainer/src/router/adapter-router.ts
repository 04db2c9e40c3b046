import { resolve } from 'node:path';
import type { Backend, CausalLM, PeftModel, Tokenizer } from '@tunekit/core';
import { UserError } from '@tunekit/core';
import { PooledHiddenStates } from './pooled-hidden-states.js';
import { firstMatchingRule, type RouteRequest } from './route-rules.js';
import { NO_ADAPTER, type RouterConfig } from './router-config.js';
import { RouterHead } from './router-head.js';

/** Which adapter answers a request, and what decided it. */
export interface RouteDecision {
  /** An adapter's name, or `none`: the base model alone. */
  readonly adapter: string;
  readonly by: 'rule' | 'classifier' | 'default';
  /** The rule that matched (its index in router.yaml's rules). */
  readonly rule?: number;
  /** The classifier's probability of its pick. */
  readonly confidence?: number;
}

/** Turns a request's text into the base model's pooled hidden state. */
export type PooledStateOf = (texts: readonly string[]) => Promise<Float64Array[]>;

/**
 * Picks an adapter (or none) per request as router.yaml says: the first matching rule, else the
 * classifier's likeliest label when it is confident enough, else `default`.
 */
export class AdapterRouter {
  constructor(
    readonly config: RouterConfig,
    private readonly classifier?: { readonly head: RouterHead; readonly pooled: PooledStateOf },
  ) {}

  async route(request: RouteRequest): Promise<RouteDecision> {
    return (await this.routeAll([request]))[0];
  }

  /** Routes several requests; the classifier reads the ones no rule matched in one batch. */
  async routeAll(requests: readonly RouteRequest[]): Promise<RouteDecision[]> {
    const decisions: (RouteDecision | undefined)[] = requests.map((request) => {
      const rule = firstMatchingRule(this.config.rules, request);
      return rule < 0 ? undefined : { adapter: this.config.rules[rule].adapter, by: 'rule', rule };
    });
    const open = decisions.flatMap((d, i) => (d === undefined ? [i] : []));
    if (this.classifier && open.length > 0) {
      const { head, pooled } = this.classifier;
      const states = await pooled(open.map((i) => requests[i].message));
      const minConfidence = this.config.classifier?.min_confidence ?? 0;
      open.forEach((i, j) => {
        const p = head.probabilities(states[j]);
        const best = p.indexOf(Math.max(...p));
        if (p[best] >= minConfidence)
          decisions[i] = { adapter: head.labels[best], by: 'classifier', confidence: p[best] };
      });
    }
    return decisions.map((d) => d ?? { adapter: this.config.default, by: 'default' });
  }
}

/** What a router runs on: the model with its adapters, its tokenizer and a backend. */
export interface RouterModel {
  readonly model: CausalLM;
  readonly peft: PeftModel;
  readonly tokenizer: Tokenizer;
  readonly backend: Backend;
}

/**
 * The router of `config` over `routed`: every adapter it names must be loaded; the classifier
 * (folder relative to `dir`) reads the base model with the adapters disabled. `dispose` frees the
 * classifier's graphs.
 */
export async function createAdapterRouter(
  config: RouterConfig,
  dir: string,
  routed: RouterModel,
): Promise<{ router: AdapterRouter; dispose(): void }> {
  const known = new Set([...routed.peft.adapterNames(), NO_ADAPTER]);
  const check = (name: string, where: string) => {
    if (!known.has(name))
      throw new UserError(
        `router: ${where} names adapter '${name}', which is not loaded; loaded: ${[...known].join(', ')}`,
      );
  };
  for (const [i, rule] of config.rules.entries()) check(rule.adapter, `rules[${i}]`);
  check(config.default, 'default');
  if (!config.classifier) return { router: new AdapterRouter(config), dispose: () => {} };

  const head = await RouterHead.load(resolve(dir, config.classifier.path));
  for (const label of head.labels) check(label, `the classifier (${config.classifier.path})`);
  const states = new PooledHiddenStates(routed.model, routed.backend);
  const pooled: PooledStateOf = (texts) =>
    routed.peft.withAdaptersDisabled(() =>
      states.pool(texts.map((text) => routed.tokenizer.encode(text))),
    );
  return { router: new AdapterRouter(config, { head, pooled }), dispose: () => states.dispose() };
}
