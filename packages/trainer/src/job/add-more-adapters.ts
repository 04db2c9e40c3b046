import { resolve } from 'node:path';
import { type PeftModel, resolveById, TOKENS } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { type AdaptersSection, isLoadedAdapter } from './adapters-section.js';

/**
 * Adds the `adapters:` section's adapters beside `peft`'s default one and makes them all active:
 * new ones train with it, loaded ones stay frozen unless `is_trainable` (paths from `configDir`).
 */
export async function addMoreAdapters(
  container: DependencyContainer,
  peft: PeftModel,
  adapters: AdaptersSection,
  configDir: string,
): Promise<void> {
  for (const [name, section] of Object.entries(adapters)) {
    if (isLoadedAdapter(section)) {
      await peft.loadAdapter(resolve(configDir, section.path), name, {
        isTrainable: section.is_trainable,
      });
    } else {
      const { method: id, ...config } = section;
      const method = resolveById(container, TOKENS.PeftMethod, id, 'peft method');
      peft.addParsedAdapter(name, method, config);
    }
  }
  peft.setAdapter(peft.adapterNames());
}

/** `default (lora, trains), task (prefix_tuning, trains), style (lora, frozen)`. */
export function describeAdapters(peft: PeftModel): string {
  return peft
    .adapterNames()
    .map((name) => {
      return `${name} (${peft.methodOf(name).id}, ${peft.isTrainable(name) ? 'trains' : 'frozen'})`;
    })
    .join(', ');
}
