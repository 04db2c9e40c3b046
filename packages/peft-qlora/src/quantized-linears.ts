import { Linear, type Module } from '@tunekit/core';

/**
 * transformers' test in `replace_with_bnb_linear` for a module kept in full precision: its own name
 * is listed, or its path is, or a listed name is one of the modules it sits in. `skipped` is the
 * output head plus `llm_int8_skip_modules`.
 */
export function isSkippedModule(path: string, skipped: readonly string[]): boolean {
  const name = path.slice(path.lastIndexOf('.') + 1);
  return skipped.some((key) => key === name || key === path || path.includes(`${key}.`));
}

/**
 * The Linears `load_in_4bit` quantizes, by path: every one but the output head and those
 * `llm_int8_skip_modules` names (the same choice on load and in `tunekit quantize`).
 */
export function quantizedLinears(
  model: Module,
  outputHead: string,
  skipModules: readonly string[] | null = null,
): [string, Linear][] {
  const skipped = [outputHead, ...(skipModules ?? [])];
  return model
    .namedModules()
    .filter((entry): entry is [string, Linear] => entry[1] instanceof Linear)
    .filter(([path]) => !isSkippedModule(path, skipped));
}
