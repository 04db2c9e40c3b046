// Module resolve hook (node:module `register`) for a repository checkout: every import resolves
// with the `@tunekit/source` export condition, as under `node --conditions=@tunekit/source`, so
// workspace packages load from their src/ without a build and without starting Node again.
const CONDITION = '@tunekit/source';

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(CONDITION)
    ? context.conditions
    : [CONDITION, ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
