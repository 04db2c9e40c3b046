import { describe, expect, it } from 'vitest';
import { modelTypeDefault } from './inject-adapter.js';
import { ModulesToSaveWrapper } from './modules-to-save.js';
import { PeftModel } from './peft-model.js';
import { ScaleLayer, tinyNet, toyDispatcher, toyMethod } from './test-utils.js';

const options = { dispatchers: [toyDispatcher], methods: [toyMethod] };

describe('adapterInjector', () => {
  it("expands 'all-linear' to the short names, the output head left out, and saves them", () => {
    const peft = PeftModel.create(tinyNet(), toyMethod, { target_modules: 'all-linear' }, options);
    expect(peft.config()).toHaveProperty('target_modules', [
      'k_proj',
      'q_proj',
      'up_proj',
      'v_proj',
    ]);
    expect(peft.model.getModule('lm_head')).not.toBeInstanceOf(ScaleLayer);
  });

  it('leaves a module of modules_to_save to train in full, as PEFT skips it when targeting', () => {
    const peft = PeftModel.create(
      tinyNet(),
      toyMethod,
      { target_modules: 'all-linear', modules_to_save: ['up_proj'] },
      options,
    );
    const up = peft.model.getModule('model.layers.0.up_proj');
    expect(up).toBeInstanceOf(ModulesToSaveWrapper);
    expect((up as ModulesToSaveWrapper).baseLayer()).not.toBeInstanceOf(ScaleLayer);
    expect(peft.model.getModule('model.layers.0.self_attn.q_proj')).toBeInstanceOf(ScaleLayer);
  });

  it("adds a second adapter to the method's layers instead of wrapping them again", () => {
    const peft = PeftModel.create(tinyNet(), toyMethod, { target_modules: ['q_proj'] }, options);
    peft.addAdapter('other', toyMethod, { target_modules: 'all-linear', init: 2 });
    const q = peft.model.getModule('model.layers.0.self_attn.q_proj') as ScaleLayer;
    expect(q.adapterNames()).toEqual(['default', 'other']);
    expect(q.baseLayer()).not.toBeInstanceOf(ScaleLayer);
  });

  it('asks for the plugin when no dispatcher of the method is registered', () => {
    expect(() =>
      PeftModel.create(tinyNet(), toyMethod, { target_modules: ['q_proj'] }, { dispatchers: [] }),
    ).toThrow("no LinearDispatcher for 'toy' is registered");
  });

  it("takes a model type's default, and asks for the field when there is none", () => {
    const table = { llama: ['q_proj'] };
    expect(modelTypeDefault(table, 'target_modules', 'lora', 'llama')).toEqual(['q_proj']);
    expect(() => modelTypeDefault(table, 'feedforward_modules', 'ia3', 'bert')).toThrow(
      "feedforward_modules is not set and there is no default for model type 'bert' (ia3 has defaults for: llama)",
    );
  });
});
