import { Module } from './module.js';

/** torch.nn.ModuleList: children named '0', '1', ... (`model.layers.3.mlp`). */
export class ModuleList<M extends Module = Module> extends Module {
  readonly length: number;

  constructor(modules: readonly M[]) {
    super();
    modules.forEach((m, i) => {
      this.addModule(String(i), m);
    });
    this.length = modules.length;
  }

  /** Child `i`, looked up by name at trace time so a swapped child is the one used. */
  at(i: number): M {
    return this.sub<M>(String(i));
  }
}
