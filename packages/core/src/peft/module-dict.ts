import { Module } from '../nn/index.js';

/**
 * torch.nn.ModuleDict: children keyed by name, here by adapter name, which is how PEFT names a
 * layer's per-adapter weights (`q_proj.lora_A.default.weight`). A dict only grows; a layer that
 * deletes an adapter puts a copy without it in its place (`without`).
 */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly entries = new Map<string, M>();

  constructor(entries: Iterable<readonly [string, M]> = []) {
    super();
    for (const [name, module] of entries) this.set(name, module);
  }

  set(name: string, module: M): void {
    this.entries.set(name, this.addModule(name, module));
  }

  get(name: string): M | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** A dict holding the same modules but `name`. */
  without(name: string): ModuleDict<M> {
    return new ModuleDict([...this.entries].filter(([key]) => key !== name));
  }
}
