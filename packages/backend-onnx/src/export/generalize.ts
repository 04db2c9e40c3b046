import { UserError } from '@tunekit/core';
import type { onnx } from 'onnx-proto';
import { ONNX_DTYPE } from '../onnx-dtype.js';
import { OnnxProto } from '../onnx-proto.js';
import { SizeExpressions, type SizeSource } from './size-expressions.js';
import {
  constantOf,
  DIM_NAMES,
  fitFormula,
  formatFormula,
  type SizeName,
  type Sizes,
} from './size-formula.js';

/** One graph lowered to ONNX at one set of sizes. */
export interface LoweredTrace {
  readonly sizes: Sizes;
  readonly graph: onnx.IGraphProto;
}

const INT64 = ONNX_DTYPE.i64;

/**
 * One ONNX graph for every size, from the same graph lowered at each of TRACE_SIZES. The lowering
 * puts every size-dependent value in an int64 initializer (Reshape and Expand shapes, Slice
 * bounds, Range limits, Pad widths); each element that differs between the traces is fitted to a
 * formula of the sizes and computed in the graph from the inputs' shapes instead. The graphs'
 * nodes must be the same at every size, and no other constant may change; either is an error
 * naming the node. Inputs and outputs get symbolic dimensions (`batch_size`, ...).
 */
export function generalize(traces: readonly LoweredTrace[]): onnx.IGraphProto {
  const [first] = traces;
  for (const trace of traces.slice(1)) checkSameNodes(first, trace);
  const input = symbolicValueInfos(traces, (g) => g.input);
  const output = symbolicValueInfos(traces, (g) => g.output);
  const expressions = new SizeExpressions(sizeSources(input));
  const graph = first.graph;
  const initializer: onnx.ITensorProto[] = [];
  for (const [i, init] of (graph.initializer ?? []).entries()) {
    const versions = traces.map((t) => (t.graph.initializer ?? [])[i]);
    if (versions.every((v) => sameBytes(v.rawData, init.rawData))) {
      initializer.push(init);
      continue;
    }
    const name = init.name as string;
    const dims = (init.dims ?? []).map(Number);
    const fail = (why: string) =>
      new UserError(
        `ONNX export: constant '${name}' (${dtypeName(init.dataType)} [${dims.join(', ')}], feeding ${consumers(graph, name)}) ${why}`,
      );
    if (init.dataType !== INT64 || dims.length > 1)
      throw fail('changes with the batch, sequence or past length; only int64 shape values may');
    const values = versions.map((v) => Array.from(int64Values(v), Number));
    const elements = values[0].map((_, e) => {
      const formula = fitFormula(values.map((v) => v[e]));
      if (!formula) throw fail(`element ${e} is no polynomial of degree <= 1 in each size`);
      return constantOf(formula) ?? formula;
    });
    expressions.define(name, dims, elements);
  }
  return {
    ...graph,
    node: [...expressions.nodes, ...(graph.node ?? []).map(literalReshape)],
    initializer: [...initializer, ...expressions.initializers],
    input,
    output,
  };
}

/** Reshape targets are literal sizes; with allowzero a size of 0 (no past yet) stays 0. */
function literalReshape(node: onnx.INodeProto): onnx.INodeProto {
  if (node.opType !== 'Reshape') return node;
  const allowzero = { name: 'allowzero', type: OnnxProto.AttributeProto.AttributeType.INT, i: 1 };
  return { ...node, attribute: [...(node.attribute ?? []), allowzero] };
}

function checkSameNodes(a: LoweredTrace, b: LoweredTrace): void {
  const [na, nb] = [a.graph.node ?? [], b.graph.node ?? []];
  const where = `traced at ${describeSizes(a.sizes)} and at ${describeSizes(b.sizes)}`;
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    if (na[i] && nb[i] && signature(na[i]) === signature(nb[i])) continue;
    const what = [na[i], nb[i]].map((n) => (n ? `${n.opType} '${n.output?.[0]}'` : 'nothing'));
    throw new UserError(
      `ONNX export: the graphs ${where} differ at node ${i} (${what.join(' vs ')}): the model takes a different path at different sizes, which one exported graph cannot`,
    );
  }
  const shapes = (g: onnx.IGraphProto) =>
    (g.initializer ?? []).map((t) => `${t.name} ${t.dataType} [${t.dims?.length}]`).join('; ');
  if (shapes(a.graph) !== shapes(b.graph))
    throw new UserError(`ONNX export: the constants of the graphs ${where} differ in rank or type`);
}

function signature(node: onnx.INodeProto): string {
  return JSON.stringify(node, (_, v) => (v instanceof Uint8Array ? Array.from(v) : v));
}

/**
 * The inputs' or outputs' value infos with each dimension a constant or a formula of the sizes
 * (`dimParam`), fitted to its lengths in the traces.
 */
function symbolicValueInfos(
  traces: readonly LoweredTrace[],
  of: (g: onnx.IGraphProto) => onnx.IValueInfoProto[] | null | undefined,
): onnx.IValueInfoProto[] {
  const lists = traces.map((t) => of(t.graph) ?? []);
  return lists[0].map((info, i) => {
    const shapes = lists.map((l) => (l[i].type?.tensorType?.shape?.dim ?? []).map(dimValue));
    const dim = shapes[0].map((_, d) => {
      const formula = fitFormula(shapes.map((s) => s[d]));
      if (!formula)
        throw new UserError(
          `ONNX export: axis ${d} of '${info.name}' is no polynomial of degree <= 1 in each size`,
        );
      const constant = constantOf(formula);
      return constant === undefined ? { dimParam: formatFormula(formula) } : { dimValue: constant };
    });
    const tensorType = { ...info.type?.tensorType, shape: { dim } };
    return { ...info, type: { ...info.type, tensorType } };
  });
}

/** For each size, the first input axis whose length is exactly that size. */
function sizeSources(
  inputs: readonly onnx.IValueInfoProto[],
): Record<SizeName, SizeSource | undefined> {
  const find = (name: SizeName): SizeSource | undefined => {
    for (const info of inputs) {
      const dims = info.type?.tensorType?.shape?.dim ?? [];
      const axis = dims.findIndex((d) => d.dimParam === DIM_NAMES[name]);
      if (axis >= 0) return { input: info.name as string, axis };
    }
    return undefined;
  };
  return { batch: find('batch'), seq: find('seq'), past: find('past') };
}

function dimValue(d: onnx.TensorShapeProto.IDimension): number {
  return Number(d.dimValue);
}

function int64Values(t: onnx.ITensorProto): BigInt64Array {
  return new BigInt64Array((t.rawData as Uint8Array).slice().buffer);
}

function sameBytes(a?: Uint8Array | null, b?: Uint8Array | null): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function consumers(graph: onnx.IGraphProto, name: string): string {
  const users = (graph.node ?? []).filter((n) => n.input?.includes(name));
  return users.map((n) => `${n.opType} '${n.output?.[0]}'`).join(', ') || 'nothing';
}

function dtypeName(code?: number | null): string {
  return Object.entries(ONNX_DTYPE).find(([, c]) => c === code)?.[0] ?? `type ${code}`;
}

function describeSizes(s: Sizes): string {
  return `batch ${s.batch}, sequence ${s.seq}, past ${s.past}`;
}
