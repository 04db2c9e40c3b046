import type { RouteRule } from './router-config.js';

/** What a router reads of a request: the latest user message and the system message, if any. */
export interface RouteRequest {
  readonly message: string;
  readonly system?: string;
}

/** The index of the first rule whose conditions all hold for `request`, or -1. */
export function firstMatchingRule(rules: readonly RouteRule[], request: RouteRequest): number {
  return rules.findIndex((rule) => ruleMatches(rule, request));
}

function ruleMatches(rule: RouteRule, { message, system }: RouteRequest): boolean {
  const flags = rule.case_sensitive ? 'u' : 'iu';
  if (rule.regex !== undefined && !new RegExp(rule.regex, flags).test(message)) return false;
  if (rule.keywords !== undefined && !rule.keywords.some((k) => wordIn(k, message, flags)))
    return false;
  if (rule.system !== undefined && !new RegExp(rule.system, flags).test(system ?? '')) return false;
  return true;
}

/** `word` in `text` as a whole word (not inside another), letters by Unicode. */
function wordIn(word: string, text: string, flags: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, flags).test(text);
}
