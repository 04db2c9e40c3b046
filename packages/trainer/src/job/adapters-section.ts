import { DEFAULT_ADAPTER, isCheckpointFolderName } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { type PeftSection, peftSectionSchema } from './peft-section.js';

/** An adapter loaded from a PEFT adapter folder (PEFT's `load_adapter(path, adapter_name, is_trainable)`). */
export interface LoadedAdapterSection {
  /** The adapter folder, relative to the config file. */
  readonly path: string;
  /** Whether it trains along with the others; default false (frozen). */
  readonly is_trainable: boolean;
}

/** One entry of `adapters:`: a new adapter (a `peft:`-like section) or one loaded from a folder. */
export type AdapterSection = PeftSection | LoadedAdapterSection;

/** Adapters beside the `peft:` one, by name (`adapters:`, validated). */
export type AdaptersSection = Readonly<Record<string, AdapterSection>>;

export function isLoadedAdapter(section: AdapterSection): section is LoadedAdapterSection {
  return 'path' in section && typeof section.path === 'string';
}

const loadedAdapterSchema = z.strictObject({
  path: z.string().min(1).describe('a PEFT adapter folder, relative to this file'),
  is_trainable: z
    .boolean()
    .default(false)
    .describe('train it along with the others (PEFT’s is_trainable); default false: frozen'),
});

/** Why `name` cannot name an adapter, which is a sub-folder of output_dir as PEFT saves it. */
function badAdapterName(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
    return 'an adapter name is a folder name: letters, digits, _ . -';
  if (name === DEFAULT_ADAPTER) return `'${DEFAULT_ADAPTER}' is the peft: section's adapter`;
  if (isCheckpointFolderName(name)) return 'checkpoint-<step> names a checkpoint folder';
  return undefined;
}

/**
 * `adapters:` puts more adapters on the model beside `peft:`'s (adapter 'default'), as PEFT's
 * `add_adapter` and `load_adapter` do: each entry is either a PEFT method's config
 * (`{ method: prefix_tuning, num_virtual_tokens: 8 }`), a new adapter trained together with
 * 'default', or `{ path: runs/style, is_trainable: false }`, a saved adapter loaded frozen (or
 * trained on with `is_trainable: true`). All are active at once, so a LoRA adapter composes with
 * a prefix-family one (at most one prefix-family adapter). They are saved as PEFT saves several
 * adapters: 'default' in output_dir, each other one in output_dir/<name>.
 */
export function adaptersSectionSchema(container: DependencyContainer) {
  const peftSection = peftSectionSchema(container);
  const entry = z.looseObject({}).transform((value, ctx): AdapterSection => {
    const parsed =
      'path' in value ? loadedAdapterSchema.safeParse(value) : peftSection.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    }
    return parsed.data;
  });
  return z.record(z.string(), entry).superRefine((adapters, ctx) => {
    for (const name of Object.keys(adapters)) {
      const problem = badAdapterName(name);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
  });
}
