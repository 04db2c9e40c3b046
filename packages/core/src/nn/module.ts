import { UserError } from '../errors/index.js';
import { formatShape, sameShape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import type { HostTensor } from '../tensor/index.js';
import type { Parameter } from './parameter.js';
import type { TraceContext } from './trace-context.js';

/**
 * A node of the module tree. Children and parameters are named as in Hugging Face checkpoints
 * (`model.layers.0.self_attn.q_proj.weight`), so loading weights, matching PEFT `target_modules`
 * and writing adapter keys need no renaming. Parents reach children by name at trace time, so a
 * PEFT method can swap a child (wrap a Linear) without touching model code.
 */
export abstract class Module {
  private readonly children = new Map<string, Module>();
  private readonly params = new Map<string, Parameter>();

  protected addModule<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  protected addParameter(name: string, p: Parameter): Parameter {
    this.params.set(name, p);
    return p;
  }

  /** The child `name`, to call at trace time. */
  protected sub<M extends Module = UnaryModule>(name: string): M {
    const m = this.children.get(name);
    if (!m) throw new Error(`${this.constructor.name} has no child '${name}'`);
    return m as M;
  }

  /** This module's own parameter `name`. */
  protected weight(name: string): Parameter {
    const p = this.params.get(name);
    if (!p) throw new Error(`${this.constructor.name} has no parameter '${name}'`);
    return p;
  }

  /** Every module below (and including) this one, with its dotted path. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.children) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  /** Every parameter below this module, with its dotted path. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [name, p] of this.params) out.push([join(prefix, name), p]);
    for (const [name, child] of this.children)
      out.push(...child.namedParameters(join(prefix, name)));
    return out;
  }

  getModule(path: string): Module {
    let m: Module = this;
    for (const part of path === '' ? [] : path.split('.')) {
      const next = m.children.get(part);
      if (!next) throw new UserError(`no module '${path}' (stopped at '${part}')`);
      m = next;
    }
    return m;
  }

  /** Replaces the module at `path` (PEFT's inject_adapter swaps target Linears this way). */
  setModule(path: string, module: Module): void {
    const { parent, name } = this.parentOf(path);
    if (!parent.children.has(name)) throw new UserError(`no module '${path}' to replace`);
    parent.children.set(name, module);
  }

  /**
   * Adds `module` as a new child at `path` (PEFT's prompt-learning methods add their prompt encoder
   * this way); the parent must exist and the name be free.
   */
  attachModule(path: string, module: Module): void {
    const { parent, name } = this.parentOf(path);
    if (parent.children.has(name)) throw new UserError(`module '${path}' exists already`);
    parent.children.set(name, module);
  }

  /** Removes the child at `path` (the undo of `attachModule`). */
  detachModule(path: string): void {
    const { parent, name } = this.parentOf(path);
    if (!parent.children.delete(name)) throw new UserError(`no module '${path}' to remove`);
  }

  private parentOf(path: string): { parent: Module; name: string } {
    const dot = path.lastIndexOf('.');
    return { parent: this.getModule(dot < 0 ? '' : path.slice(0, dot)), name: path.slice(dot + 1) };
  }

  stateDict(): Map<string, HostTensor> {
    return new Map(this.namedParameters().map(([name, p]) => [name, p.value]));
  }

  /**
   * Sets parameters from a state dict. With `strict`, missing and unexpected keys are an error that
   * lists them; shapes and dtypes must match either way. Nothing is changed unless all checks pass.
   */
  loadStateDict(sd: ReadonlyMap<string, HostTensor>, strict = true): void {
    const params = new Map(this.namedParameters());
    const missing = [...params.keys()].filter((k) => !sd.has(k));
    const unexpected = [...sd.keys()].filter((k) => !params.has(k));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new UserError(
        `weights do not fit the model:${list('missing', missing)}${list('unexpected', unexpected)}`,
      );
    }
    for (const [name, value] of sd) {
      const p = params.get(name);
      if (p && (!sameShape(p.shape, value.shape) || p.dtype !== value.dtype)) {
        throw new UserError(
          `weight '${name}' is ${value.dtype}${formatShape(value.shape)}, the model expects ${p.dtype}${formatShape(p.shape)}`,
        );
      }
    }
    for (const [name, value] of sd) {
      const p = params.get(name);
      if (p) p.value = value;
    }
  }
}

/** A module with one tensor in and one out: Linear, Embedding, norms, MLP. */
export abstract class UnaryModule extends Module {
  abstract forward(ctx: TraceContext, x: Tensor): Tensor;
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function list(label: string, names: string[]): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, 20).join(', ');
  return `\n  ${label} (${names.length}): ${shown}${names.length > 20 ? ', ...' : ''}`;
}
