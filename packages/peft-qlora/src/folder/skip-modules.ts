/**
 * transformers' test in `replace_with_bnb_linear` for a module kept in full precision: its own name
 * is listed, or its path is, or a listed name is one of the modules it sits in. `skipped` is the
 * output head plus `llm_int8_skip_modules`.
 */
export function isSkippedModule(path: string, skipped: readonly string[]): boolean {
  const name = path.slice(path.lastIndexOf('.') + 1);
  return skipped.some((key) => key === name || key === path || path.includes(`${key}.`));
}
