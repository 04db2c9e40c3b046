import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { methodConfigSchema, parsePeftConfig, peftConfigFields } from './peft-config.js';

const schema = z.strictObject({
  ...peftConfigFields,
  r: z.number().int().positive({ error: 'expected a positive integer' }).default(8),
});

describe('parsePeftConfig', () => {
  it('fills the defaults of the fields every PEFT config has', () => {
    expect(parsePeftConfig(schema, 'TOY', {}, 'config')).toEqual({
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: null,
      revision: null,
      inference_mode: false,
      auto_mapping: null,
      r: 8,
    });
  });

  it('names every bad and unknown field and the source', () => {
    const run = () => parsePeftConfig(schema, 'TOY', { r: 0, rank: 4, alpha: 1 }, 'run.yaml peft');
    expect(run).toThrow(UserError);
    expect(run).toThrow(
      'run.yaml peft: r: expected a positive integer; rank: unknown field; alpha: unknown field',
    );
  });

  it('rejects a config written for another method', () => {
    expect(() =>
      parsePeftConfig(schema, 'TOY', { peft_type: 'IA3' }, 'adapter_config.json'),
    ).toThrow(
      "adapter_config.json: peft_type: 'IA3' names another method; this config is read as 'TOY'",
    );
  });

  it('methodConfigSchema checks peft_type under its own path, for a section embedded in a config file', () => {
    const method = { id: 'toy', configSchema: schema };
    expect(methodConfigSchema(method).parse({ peft_type: 'TOY', r: 4 })).toMatchObject({ r: 4 });
    const issues = methodConfigSchema(method).safeParse({ peft_type: 'LORA' }).error?.issues;
    expect(issues?.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['peft_type', "'LORA' names another method; this config is read as 'TOY'"],
    ]);
  });
});
