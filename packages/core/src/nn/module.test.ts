import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import { HostTensor } from '../tensor/index.js';
import { Linear } from './linear.js';
import { UnaryModule } from './module.js';
import { RMSNorm } from './norms.js';
import { TraceContext } from './trace-context.js';

class Block extends UnaryModule {
  constructor() {
    super();
    this.addModule('norm', new RMSNorm(3));
    this.addModule('q_proj', new Linear(3, 2, true));
  }
  forward(ctx: TraceContext, x: Tensor): Tensor {
    return this.sub('q_proj').forward(ctx, this.sub('norm').forward(ctx, x));
  }
}

class Doubled extends UnaryModule {
  constructor(readonly inner: UnaryModule) {
    super();
    this.addModule('base_layer', inner);
  }
  forward(ctx: TraceContext, x: Tensor): Tensor {
    return this.sub('base_layer').forward(ctx, x).mul(2);
  }
}

describe('Module', () => {
  it('names parameters by their HF path', () => {
    expect(new Block().namedParameters().map(([n]) => n)).toEqual([
      'norm.weight',
      'q_proj.weight',
      'q_proj.bias',
    ]);
  });

  it('a swapped child is used at trace time and keeps its inner names', async () => {
    const block = new Block();
    block.loadStateDict(
      new Map([
        ['norm.weight', HostTensor.from('f32', [3], [1, 1, 1])],
        ['q_proj.weight', HostTensor.from('f32', [2, 3], [1, 0, 0, 0, 1, 0])],
        ['q_proj.bias', HostTensor.from('f32', [2], [0.5, -0.5])],
      ]),
    );
    block.setModule('q_proj', new Doubled(block.getModule('q_proj') as UnaryModule));
    expect(block.namedParameters().map(([n]) => n)).toContain('q_proj.base_layer.weight');
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, block);
    const y = block.forward(ctx, b.input('x', [1, 3]));
    const out = await evaluate(b.build({ y }), {
      x: HostTensor.from('f32', [1, 3], [1, 1, 1]),
      ...ctx.weights(),
    });
    const [y0, y1] = out.y.toArray(); // rms of [1, 1, 1] is 1, up to eps
    expect(y0).toBeCloseTo(3, 5);
    expect(y1).toBeCloseTo(1, 5);
  });

  it('loadStateDict lists missing and unexpected keys and changes nothing on error', () => {
    const block = new Block();
    const before = block.stateDict();
    const bad = new Map([
      ['norm.weight', HostTensor.from('f32', [3], [2, 2, 2])],
      ['k_proj.weight', HostTensor.zeros('f32', [2, 3])],
    ]);
    expect(() => block.loadStateDict(bad)).toThrow(
      /missing \(2\): q_proj.weight, q_proj.bias[\s\S]*unexpected \(1\): k_proj.weight/,
    );
    expect(block.stateDict()).toEqual(before);
    expect(() =>
      block.loadStateDict(new Map([['norm.weight', HostTensor.zeros('f32', [4])]]), false),
    ).toThrow(/weight 'norm.weight' is f32\[4\], the model expects f32\[3\]/);
  });

  it('frozen and trainable parameters become inputs of the matching role', () => {
    const block = new Block();
    block.namedParameters().forEach(([name, p]) => {
      p.trainable = name.startsWith('q_proj');
    });
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, block);
    block.forward(ctx, b.input('x', [1, 3]));
    expect(b.graphInputs().map((i) => [i.name, i.role])).toEqual([
      ['x', 'data'],
      ['norm.weight', 'frozen'],
      ['q_proj.weight', 'param'],
      ['q_proj.bias', 'param'],
    ]);
  });
});
