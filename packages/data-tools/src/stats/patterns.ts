import { UserError } from '@tunekit/core';

/** Answers that cite a source: a URL, a numbered reference like [3], or a "Source:" line. */
export const DEFAULT_CITATION_PATTERNS: readonly RegExp[] = [
  /https?:\/\/\S+/i,
  /\[\d+\]/,
  /^\s*sources?:/im,
];

/** Answers that decline: the stock phrases of English refusals. */
export const DEFAULT_REFUSAL_PATTERNS: readonly RegExp[] = [
  /\b(I'?m|I am) (sorry|afraid)\b/i,
  /\bI (apologi[sz]e|can(no|')?t (help|assist|provide|do|comply|share))\b/i,
  /\bI('m| am) (not able|unable) to\b/i,
  /\bI (won'?t|will not) (help|assist|provide)\b/i,
  /\bas an AI\b/i,
];

/** A user's pattern (a regular expression's source, matched case-insensitively), or a one-line error. */
export function patternOf(source: string, flag: string): RegExp {
  try {
    return new RegExp(source, 'i');
  } catch (error) {
    throw new UserError(
      `${flag} ${source}: not a regular expression (${(error as Error).message})`,
    );
  }
}

export function matchesAny(text: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => pattern.test(text));
}
