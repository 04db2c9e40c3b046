import { type Backend, type CausalLM, Generator } from '@tunekit/core';

/**
 * The Generators of one model, one per max length, kept across evaluations: each `take` reloads
 * the model's current weights, and the compiled prefill and decode graphs stay.
 */
export class GeneratorCache {
  private readonly generators = new Map<number, Generator>();

  constructor(
    private readonly model: CausalLM,
    private readonly backend: Backend,
  ) {}

  /** A Generator of `maxLength` holding the model's current weights. */
  take(maxLength: number): Generator {
    const kept = this.generators.get(maxLength);
    if (kept) {
      kept.reloadWeights();
      return kept;
    }
    const generator = new Generator(this.model, this.backend, { maxLength });
    this.generators.set(maxLength, generator);
    return generator;
  }

  dispose(): void {
    for (const generator of this.generators.values()) generator.dispose();
    this.generators.clear();
  }
}
