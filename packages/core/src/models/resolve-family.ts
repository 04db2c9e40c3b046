import type { DependencyContainer } from 'tsyringe';
import { UserError } from '../errors/index.js';
import { resolveAllOf } from '../plugin/registry.js';
import { TOKENS } from '../plugin/tokens.js';
import type { ModelFamily } from './model-family.js';

/** Where families come from: a container's registrations or a plain list. */
export type FamilySource = DependencyContainer | readonly ModelFamily[];

/**
 * The family that builds a `config.json`: the one listing its `model_type`, else one listing an
 * entry of its `architectures`. `file` names the config in errors.
 */
export function resolveFamily(
  source: FamilySource,
  config: unknown,
  file = 'config.json',
): ModelFamily {
  const families = isFamilyList(source) ? [...source] : resolveAllOf(source, TOKENS.ModelFamily);
  const fields =
    typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
  const modelType = fields.model_type;
  const architectures = Array.isArray(fields.architectures) ? fields.architectures : [];
  const byType = families.filter((f) => f.modelTypes.includes(modelType as string));
  const matches =
    byType.length > 0
      ? byType
      : families.filter((f) => architectures.some((a) => f.architectures.includes(a)));
  if (matches.length > 1) {
    throw new UserError(
      `${file}: model families ${matches.map((f) => `'${f.id}'`).join(' and ')} both claim this model; load only one plugin that provides it`,
    );
  }
  if (matches.length === 0) {
    const supported = [...new Set(families.flatMap((f) => f.modelTypes))].sort();
    const what =
      typeof modelType === 'string'
        ? `model_type '${modelType}' is not supported`
        : 'has no model_type (and no supported entry in architectures)';
    throw new UserError(
      `${file}: ${what}; supported model types: ${supported.length > 0 ? supported.join(', ') : 'none (no model family is registered)'}`,
    );
  }
  return matches[0];
}

function isFamilyList(source: FamilySource): source is readonly ModelFamily[] {
  return Array.isArray(source);
}
