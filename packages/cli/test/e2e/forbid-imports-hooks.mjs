// The module hooks of forbid-imports.mjs.
let forbidden = [];

export function initialize(data) {
  forbidden = data.forbidden;
}

export function resolve(specifier, context, next) {
  if (forbidden.includes(specifier)) throw new Error(`the test forbids importing ${specifier}`);
  return next(specifier, context);
}
