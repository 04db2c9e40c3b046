import { describe, expect, it } from 'vitest';
import { Linear } from '../nn/index.js';
import {
  checkTargetModuleExists,
  expandAllLinear,
  findTargetModules,
  fullMatch,
} from './target-modules.js';
import { TinyNet } from './test-utils.js';

const q0 = 'model.layers.0.self_attn.q_proj';
const q1 = 'model.layers.1.self_attn.q_proj';

// The cases follow PEFT's check_target_module_exists (peft/tuners/tuners_utils.py).
describe('checkTargetModuleExists', () => {
  it('matches a list entry exactly or as the end of a name after a dot', () => {
    expect(checkTargetModuleExists({ target_modules: ['q_proj'] }, q0)).toBe(true);
    expect(checkTargetModuleExists({ target_modules: ['self_attn.q_proj'] }, q0)).toBe(true);
    expect(checkTargetModuleExists({ target_modules: [q0] }, q0)).toBe(true);
    expect(checkTargetModuleExists({ target_modules: ['proj'] }, q0)).toBe(false);
    expect(checkTargetModuleExists({ target_modules: ['_proj'] }, q0)).toBe(false);
    expect(
      checkTargetModuleExists({ target_modules: ['q_proj'] }, 'model.layers.0.self_attn'),
    ).toBe(false);
  });

  it('matches a string as a regex over the whole name (re.fullmatch)', () => {
    expect(checkTargetModuleExists({ target_modules: '.*\\.q_proj' }, q0)).toBe(true);
    expect(checkTargetModuleExists({ target_modules: 'q_proj' }, q0)).toBe(false);
    expect(checkTargetModuleExists({ target_modules: '.*layers\\.1\\..*(q|v)_proj' }, q1)).toBe(
      true,
    );
    expect(checkTargetModuleExists({ target_modules: '.*layers\\.1\\..*(q|v)_proj' }, q0)).toBe(
      false,
    );
    expect(fullMatch('(?P<p>q)_proj', 'q_proj')).toBe(true);
  });

  it('never matches excluded modules, by list or regex', () => {
    const targets = { target_modules: ['q_proj', 'k_proj'] };
    expect(checkTargetModuleExists({ ...targets, exclude_modules: ['k_proj'] }, q0)).toBe(true);
    expect(
      checkTargetModuleExists({ ...targets, exclude_modules: ['layers.0.self_attn.q_proj'] }, q0),
    ).toBe(false);
    expect(checkTargetModuleExists({ ...targets, exclude_modules: '.*\\.0\\..*' }, q0)).toBe(false);
    expect(checkTargetModuleExists({ ...targets, exclude_modules: '.*\\.0\\..*' }, q1)).toBe(true);
  });

  it('keeps only layers_to_transform, found after layers_pattern or any segment', () => {
    const spec = { target_modules: ['q_proj'], layers_to_transform: [1] };
    expect(checkTargetModuleExists(spec, q0)).toBe(false);
    expect(checkTargetModuleExists(spec, q1)).toBe(true);
    expect(checkTargetModuleExists({ ...spec, layers_to_transform: 0 }, q0)).toBe(true);
    expect(checkTargetModuleExists({ ...spec, layers_pattern: 'layers' }, q1)).toBe(true);
    expect(checkTargetModuleExists({ ...spec, layers_pattern: ['h'] }, q1)).toBe(false);
    expect(
      checkTargetModuleExists({ ...spec, layers_pattern: 'h' }, 'transformer.h.1.attn.q_proj'),
    ).toBe(true);
    // as in PEFT, an exact name is taken whatever its layer
    expect(checkTargetModuleExists({ ...spec, target_modules: [q0] }, q0)).toBe(true);
  });
});

describe('findTargetModules', () => {
  it('lists the matched module names in model order', () => {
    expect(findTargetModules(new TinyNet(), { target_modules: ['q_proj', 'v_proj'] })).toEqual([
      q0,
      'model.layers.0.self_attn.v_proj',
      q1,
      'model.layers.1.self_attn.v_proj',
    ]);
  });

  it('names the modules the model has when nothing matches, layer indices folded', () => {
    const run = () => findTargetModules(new TinyNet(), { target_modules: ['q_projj'] });
    expect(run).toThrow(/target_modules \["q_projj"\] matched no module of the model/);
    expect(run).toThrow(
      /model\.layers\.\*\.self_attn\.q_proj, model\.layers\.\*\.self_attn\.k_proj/,
    );
    expect(run).toThrow(/model\.layers\.\*\.up_proj, lm_head$/);
  });
});

describe('expandAllLinear', () => {
  it("gives the linear modules' short names but the output head's, as PEFT saves all-linear", () => {
    const expanded = expandAllLinear(new TinyNet(), 'all-linear', {
      isLinear: (m) => m instanceof Linear,
      outputHead: 'lm_head',
    });
    // PEFT: {name.rsplit(".", 1)[-1] for each nn.Linear} minus the output embeddings' name
    expect(expanded).toEqual(['k_proj', 'q_proj', 'up_proj', 'v_proj']);
    const spec = { target_modules: expanded };
    expect(findTargetModules(new TinyNet(), spec)).toHaveLength(8);
    expect(
      expandAllLinear(new TinyNet(), ['q_proj'], { isLinear: () => true, outputHead: 'lm_head' }),
    ).toEqual(['q_proj']);
  });
});
