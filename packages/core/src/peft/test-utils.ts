// Helpers for the PEFT tests beside this file; not part of the public API.
import { z } from 'zod';
import { evaluate } from '../backend/index.js';
import { GraphBuilder, type Tensor } from '../graph/index.js';
import { Linear, type Module, ModuleList, TraceContext, UnaryModule } from '../nn/index.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';
import { adapterInjector } from './inject-adapter.js';
import type { LinearDispatcher } from './linear-dispatcher.js';
import { ParameterDict } from './parameter-dict.js';
import { peftConfigFields } from './peft-config.js';
import type { PeftMethod } from './peft-method.js';
import { targetConfigFields } from './target-config-fields.js';
import { type AdapterLayerOptions, TunerLayer } from './tuner-layer.js';

class Attention extends UnaryModule {
  constructor(width: number) {
    super();
    for (const name of ['q_proj', 'k_proj', 'v_proj'])
      this.addModule(name, new Linear(width, width));
  }
  forward(ctx: TraceContext, x: Tensor): Tensor {
    const q = this.sub('q_proj').forward(ctx, x);
    return this.sub('v_proj').forward(ctx, this.sub('k_proj').forward(ctx, q));
  }
}

class Block extends UnaryModule {
  constructor(width: number) {
    super();
    this.addModule('self_attn', new Attention(width));
    this.addModule('up_proj', new Linear(width, width, true));
  }
  forward(ctx: TraceContext, x: Tensor): Tensor {
    const h = x.add(this.sub('self_attn').forward(ctx, x));
    return h.add(this.sub('up_proj').forward(ctx, h).tanh());
  }
}

/** model.layers.{i}.self_attn.{q,k,v}_proj, model.layers.{i}.up_proj (with bias), lm_head. */
export class TinyNet extends UnaryModule {
  constructor(
    readonly width = 4,
    layers = 2,
  ) {
    super();
    const blocks = Array.from({ length: layers }, () => new Block(width));
    this.addModule('model', new ModuleListHolder(new ModuleList(blocks)));
    this.addModule('lm_head', new Linear(width, 3));
  }
  forward(ctx: TraceContext, x: Tensor): Tensor {
    return this.sub('lm_head').forward(ctx, this.sub('model').forward(ctx, x));
  }
}

class ModuleListHolder extends UnaryModule {
  constructor(layers: ModuleList<Block>) {
    super();
    this.addModule('layers', layers);
  }
  forward(ctx: TraceContext, x: Tensor): Tensor {
    const layers = this.sub<ModuleList<Block>>('layers');
    let h = x;
    for (let i = 0; i < layers.length; i++) h = layers.at(i).forward(ctx, h);
    return h;
  }
}

/** A TinyNet with seeded normal weights. */
export function tinyNet(seed = 1): TinyNet {
  const net = new TinyNet();
  const random = seededRandom(seed);
  for (const [, p] of net.namedParameters())
    p.value = HostTensor.from(
      'f32',
      p.shape,
      randomNormal(p.value.size, random).map((v) => v * 0.5),
    );
  return net;
}

/** The net's output for a fixed input, on the reference backend. */
export async function outputOf(net: Module & UnaryModule): Promise<number[]> {
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, net);
  const y = net.forward(ctx, b.input('x', [2, net instanceof TinyNet ? net.width : 4]));
  const x = HostTensor.from('f32', [2, 4], [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]);
  return (await evaluate(b.build({ y }), { x, ...ctx.weights() })).y.toArray();
}

/** The toy layer's options. */
interface ToyOptions extends AdapterLayerOptions {
  readonly init: number;
}

/**
 * A toy PEFT method for testing the generic machinery without naming any real one: IA3-like,
 * y = base(x) * toy_scale, one learned vector per adapter, initialised to `init`.
 */
export class ScaleLayer extends TunerLayer<ToyOptions, Linear> {
  readonly method = 'toy';

  constructor(base: Linear) {
    super(base);
    this.addAdapterDict('toy_scale', new ParameterDict());
  }
  protected createAdapter({ adapterName, init }: ToyOptions): void {
    const { outFeatures } = this.baseLayer();
    this.adapterDict<ParameterDict>('toy_scale').set(
      adapterName,
      HostTensor.from('f32', [outFeatures], new Array(outFeatures).fill(init)),
    );
  }
  // y = (x W^T + b) * s, so merging scales W's rows and b by s; unmerging divides them back out
  protected mergeAdapter(name: string): void {
    this.scaleBase(name, (w, s) => w * s);
  }
  protected unmergeAdapter(name: string): void {
    this.scaleBase(name, (w, s) => w / s);
  }
  private scaleBase(name: string, f: (w: number, s: number) => number): void {
    const s = this.adapterParameter('toy_scale', name).value.toFloat64();
    for (const [, p] of this.baseLayer().namedParameters()) {
      const w = p.value.toFloat64();
      const cols = w.length / s.length;
      p.value = HostTensor.from(
        p.dtype,
        p.shape,
        w.map((v, i) => f(v, s[Math.floor(i / cols)])),
      );
    }
  }
  forward(ctx: TraceContext, x: Tensor): Tensor {
    let y = this.baseLayer().forward(ctx, x);
    for (const name of this.forwardAdapters())
      y = y.mul(ctx.tensor(this.adapterParameter('toy_scale', name)));
    return y;
  }
}

const toySchema = z.strictObject({
  ...peftConfigFields,
  ...targetConfigFields({ layers: 'toy layers', llamaDefaults: 'q_proj' }),
  init: z.number().default(1),
});

export const toyDispatcher: LinearDispatcher<ToyOptions> = {
  id: 'dense',
  method: 'toy',
  priority: 0,
  accepts: (m) => m instanceof Linear,
  create(target, options) {
    const layer = new ScaleLayer(target as Linear);
    layer.updateLayer(options);
    return layer;
  },
};

export const toyMethod: PeftMethod<z.output<typeof toySchema>> = {
  id: 'toy',
  prefix: 'toy_',
  isPromptLearning: false,
  configSchema: toySchema,
  inject: adapterInjector({
    method: 'toy',
    modelTypeDefaults: { target_modules: {} },
    layerOptions: ({ config }) => ({ init: config.init }),
  }),
};
