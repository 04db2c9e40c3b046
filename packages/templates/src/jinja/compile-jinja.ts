import { Template } from '@huggingface/jinja';
import { UserError } from '@tunekit/core';

// Compiled templates by source: a dataset renders thousands of conversations through one
// template, and parsing is the expensive part. Bounded, oldest dropped first.
const MAX_CACHED = 32;
const cache = new Map<string, Template>();

/**
 * Parses a Jinja chat template with @huggingface/jinja (trim_blocks and lstrip_blocks on, as
 * transformers renders). A template that does not parse is a `UserError` naming `label`.
 */
export function compileJinja(source: string, label: string): Template {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  let compiled: Template;
  try {
    compiled = new Template(source);
  } catch (cause) {
    throw new UserError(`${label}: the chat_template does not parse: ${reason(cause)}`, { cause });
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(source, compiled);
  return compiled;
}

/** Renders, turning the template's own `raise_exception` and runtime errors into a `UserError`. */
export function renderJinja(
  compiled: Template,
  variables: Record<string, unknown>,
  label: string,
): string {
  try {
    return compiled.render(variables);
  } catch (cause) {
    throw new UserError(`${label}: the chat_template failed to render: ${reason(cause)}`, {
      cause,
    });
  }
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
