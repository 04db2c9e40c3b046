import type { onnx } from 'onnx-proto';
import { tensorProto } from '../onnx-graph.js';
import { OnnxProto } from '../onnx-proto.js';
import { MONOMIALS, type SizeFormula, type SizeName } from './size-formula.js';

const INT = OnnxProto.AttributeProto.AttributeType.INT;

/** Where a size can be read at run time: an axis of a graph input. */
export interface SizeSource {
  readonly input: string;
  readonly axis: number;
}

/**
 * ONNX nodes that compute int64 values from the run's sizes: each size read once with
 * Shape(input, start, end), each monomial multiplied once, each formula summed once.
 */
export class SizeExpressions {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly values = new Map<string, string>();
  private counter = 0;

  constructor(private readonly sources: Readonly<Record<SizeName, SizeSource | undefined>>) {}

  /**
   * Defines `name` as an int64 tensor of `dims` ([] or [k]) whose elements are constants or
   * formulas of the sizes.
   */
  define(name: string, dims: readonly number[], elements: readonly (number | SizeFormula)[]): void {
    const parts: string[] = [];
    let constants: number[] = [];
    for (const e of elements) {
      if (typeof e === 'number') {
        constants.push(e);
        continue;
      }
      if (constants.length > 0) parts.push(this.int64s(constants));
      constants = [];
      parts.push(this.formula(e));
    }
    if (constants.length > 0) parts.push(this.int64s(constants));
    if (dims.length === 0) this.node('Squeeze', [parts[0], this.int64s([0])], { output: name });
    else if (parts.length === 1) this.node('Identity', parts, { output: name });
    else this.node('Concat', parts, { output: name, attrs: { axis: 0 } });
  }

  /** An int64 [1]: the sum of the formula's terms. */
  private formula(formula: SizeFormula): string {
    return this.memo(`formula ${formula.join(',')}`, () => {
      let sum: string | undefined;
      for (const [m, c] of formula.entries()) {
        if (c === 0 || m === 0) continue;
        const monomial = this.monomial(m);
        const term = c === 1 ? monomial : this.node('Mul', [monomial, this.int64s([c])]);
        sum = sum === undefined ? term : this.node('Add', [sum, term]);
      }
      if (sum === undefined) return this.int64s([formula[0]]);
      return formula[0] === 0 ? sum : this.node('Add', [sum, this.int64s([formula[0]])]);
    });
  }

  private monomial(m: number): string {
    const names = MONOMIALS[m];
    return this.memo(`monomial ${names.join('*')}`, () =>
      names
        .map((name) => this.size(name))
        .reduce((product, size) => this.node('Mul', [product, size])),
    );
  }

  private size(name: SizeName): string {
    return this.memo(`size ${name}`, () => {
      const source = this.sources[name];
      if (!source) throw new Error(`ONNX export: no graph input has the ${name} size as an axis`);
      const { input, axis } = source;
      return this.node('Shape', [input], { attrs: { start: axis, end: axis + 1 } });
    });
  }

  private int64s(values: readonly number[]): string {
    return this.memo(`int64s ${values.join(',')}`, () => {
      const name = this.fresh();
      this.initializers.push(tensorProto(name, 'i64', [values.length], values));
      return name;
    });
  }

  private node(
    opType: string,
    input: readonly string[],
    opts: { output?: string; attrs?: Record<string, number> } = {},
  ): string {
    const output = opts.output ?? this.fresh();
    const attribute = Object.entries(opts.attrs ?? {}).map(([name, i]) => ({ name, type: INT, i }));
    this.nodes.push({ opType, input: [...input], output: [output], attribute });
    return output;
  }

  private memo(key: string, make: () => string): string {
    let name = this.values.get(key);
    if (name === undefined) {
      name = make();
      this.values.set(key, name);
    }
    return name;
  }

  private fresh(): string {
    return `size${this.counter++}`;
  }
}
