import type { CompiledGraph } from './plan/compile-graph.js';

/**
 * The bind group of every dispatch of one compiled graph, made on its first run and kept: planned
 * buffers and uniforms never change, so only a step that binds a graph input is remade, and only
 * when the buffer fed to that input is not the one its group was made with (another device
 * tensor). A step's group is remade at most once per run, however many of its inputs changed.
 */
export class BindGroups {
  private readonly groups: (GPUBindGroup | undefined)[];
  /** Per input name, the steps that bind its buffer. */
  private readonly stepsOf = new Map<string, number[]>();
  /** Per input name, the buffer the current groups bind. */
  private readonly bound = new Map<string, GPUBuffer>();

  constructor(
    private readonly device: GPUDevice,
    private readonly program: CompiledGraph,
    private readonly pipelines: readonly GPUComputePipeline[],
    private readonly uniforms: readonly (GPUBuffer | undefined)[],
    private readonly planned: readonly GPUBuffer[],
  ) {
    this.groups = program.steps.map(() => undefined);
    for (const [k, { node, kernel }] of program.steps.entries()) {
      for (const id of new Set([...kernel.inputs, node])) {
        const slot = program.slots[id];
        if (slot && 'fed' in slot)
          this.stepsOf.set(slot.fed, [...(this.stepsOf.get(slot.fed) ?? []), k]);
      }
    }
  }

  /** The groups for a run whose inputs are bound to `fed` (every input of the graph). */
  forRun(fed: ReadonlyMap<string, GPUBuffer>): readonly GPUBindGroup[] {
    const stale = new Set<number>();
    for (const [name, buffer] of fed) {
      if (this.bound.get(name) === buffer) continue;
      this.bound.set(name, buffer);
      for (const k of this.stepsOf.get(name) ?? []) stale.add(k);
    }
    for (const [k, group] of this.groups.entries()) {
      if (group === undefined || stale.has(k)) this.groups[k] = this.make(k, fed);
    }
    return this.groups as GPUBindGroup[];
  }

  private make(k: number, fed: ReadonlyMap<string, GPUBuffer>): GPUBindGroup {
    const { node, kernel } = this.program.steps[k];
    const bufferOf = (id: number): GPUBuffer => {
      const slot = this.program.slots[id];
      if (slot === undefined) throw new Error(`webgpu backend: node %${id} was not planned`);
      return 'fed' in slot ? (fed.get(slot.fed) as GPUBuffer) : this.planned[slot.buffer];
    };
    const buffers = [...kernel.inputs.map(bufferOf), bufferOf(node)];
    const uniform = this.uniforms[k];
    if (uniform) buffers.push(uniform);
    return this.device.createBindGroup({
      layout: this.pipelines[k].getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }
}
