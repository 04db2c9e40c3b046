import {
  type ChatMessage,
  type ChatTemplate,
  type ChatTemplateContext,
  type ChatToolDefinition,
  parseOrThrow,
} from '@tunekit/core';
import { messageText } from '../conversation/index.js';
import { PERSONAS, REFUSAL_POLICIES, SYSTEM_PHRASES } from './presets.js';
import { type SystemSpec, systemSpecSchema } from './system-spec.js';

export interface ComposedSystem {
  /** The system message text; empty when the spec has no text parts. */
  readonly content: string;
  /** Tools for the template's own tool support (`ChatRenderOptions.tools`), when it has one. */
  readonly tools?: readonly ChatToolDefinition[];
}

/**
 * The system message a spec describes, its parts in order and separated by blank lines. With
 * `nativeTools` the tools are handed back for the template to render (as HF templates with a
 * `tools` block do); otherwise they are described in the text.
 */
export function composeSystem(
  spec: SystemSpec,
  opts: { readonly nativeTools: boolean },
): ComposedSystem {
  const s = parseOrThrow(systemSpecSchema, spec, 'system');
  const parts: string[] = [];
  if (s.persona !== undefined)
    parts.push(typeof s.persona === 'string' ? PERSONAS[s.persona] : s.persona.text);
  if (s.text !== undefined) parts.push(s.text);
  if (s.rules !== undefined && s.rules.length > 0) {
    parts.push([SYSTEM_PHRASES.rulesHeading, ...s.rules.map((rule) => `- ${rule}`)].join('\n'));
  }
  const tools = s.tools ?? [];
  if (tools.length > 0 && !opts.nativeTools) parts.push(describeTools(tools));
  if (s.refusal_policy !== undefined) {
    parts.push(
      typeof s.refusal_policy === 'string'
        ? REFUSAL_POLICIES[s.refusal_policy]
        : s.refusal_policy.text,
    );
  }
  if (s.priority) parts.push(SYSTEM_PHRASES.priority);
  const content = parts.join('\n\n');
  return tools.length > 0 && opts.nativeTools ? { content, tools } : { content };
}

/** Each tool as a line with its description and a line with its JSON-schema arguments. */
export function describeTools(tools: readonly ChatToolDefinition[]): string {
  const lines: string[] = [SYSTEM_PHRASES.toolsHeading];
  for (const { function: fn } of tools) {
    lines.push(fn.description ? `- ${fn.name}: ${fn.description}` : `- ${fn.name}`);
    if (fn.parameters !== undefined)
      lines.push(`  arguments (JSON schema): ${JSON.stringify(fn.parameters)}`);
  }
  return lines.join('\n');
}

/**
 * `messages` with the composed system message first: it replaces a leading system message's
 * place, with that message's text after it. Tools go where the template reads them: to its
 * `tools` variable (returned, to pass to `render`), into a `functions` message after the system
 * message for a template that asks for one (firefunction-v1: its template reads no `tools`,
 * and its model card passes the function schemas as JSON), else into the system text.
 */
export function withSystem(
  messages: readonly ChatMessage[],
  spec: SystemSpec,
  template: ChatTemplate,
  context?: ChatTemplateContext,
): { readonly messages: ChatMessage[]; readonly tools?: readonly ChatToolDefinition[] } {
  const native = template.supportsTools(context);
  const asMessage = !native && readsFunctionsRole(template.chatTemplate(context));
  const composed = composeSystem(spec, { nativeTools: native || asMessage });
  const [first, ...rest] = messages;
  const existing = first?.role === 'system' ? messageText(first) : undefined;
  const body = existing === undefined ? messages : rest;
  const content = [composed.content, existing]
    .filter((part) => part !== undefined && part !== '')
    .join('\n\n');
  const system: ChatMessage[] = content === '' ? [] : [{ role: 'system', content }];
  if (asMessage && composed.tools) {
    const schemas = composed.tools.map((tool) => tool.function);
    const functions: ChatMessage = { role: 'functions', content: JSON.stringify(schemas, null, 4) };
    return { messages: [...system, functions, ...body] };
  }
  return { messages: [...system, ...body], ...(composed.tools ? { tools: composed.tools } : {}) };
}

/** True when the template compares a message's role with `functions` (firefunction-v1's). */
function readsFunctionsRole(source: string): boolean {
  return /\brole\b[^%}]*?['"]functions['"]/i.test(source);
}
