import { Module, Parameter } from '../nn/index.js';
import type { HostTensor } from '../tensor/index.js';

/**
 * torch.nn.ParameterDict: parameters keyed by name, here by adapter name, for a method whose
 * per-adapter state is a bare tensor (IA3's `ia3_l.default`, DoRA's magnitude). Like `ModuleDict` it
 * only grows; a layer that deletes an adapter puts a copy without it in its place (`without`).
 */
export class ParameterDict extends Module {
  private readonly entries = new Map<string, Parameter>();

  constructor(entries: Iterable<readonly [string, Parameter]> = []) {
    super();
    for (const [name, p] of entries) this.entries.set(name, this.addParameter(name, p));
  }

  /** Adds parameter `name` holding `value`, and returns it. */
  set(name: string, value: HostTensor): Parameter {
    const p = this.addParameter(name, new Parameter(value));
    this.entries.set(name, p);
    return p;
  }

  get(name: string): Parameter | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** A dict holding the same parameters but `name`. */
  without(name: string): ParameterDict {
    return new ParameterDict([...this.entries].filter(([key]) => key !== name));
  }
}
