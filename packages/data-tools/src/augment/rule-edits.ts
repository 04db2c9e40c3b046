import type { AugmentOperation } from './augmented-record.js';

/**
 * Word pairs swapped both ways in counterfactual data augmentation (Lu et al. 2018, "Gender Bias
 * in Neural Natural Language Processing"), the unambiguous ones: "her" (him or his?) and "his"
 * (his or hers?) are left out, since a word-level swap cannot tell which is meant.
 */
export const DEFAULT_WORD_SWAPS: readonly (readonly [string, string])[] = [
  ['he', 'she'],
  ['himself', 'herself'],
  ['man', 'woman'],
  ['men', 'women'],
  ['boy', 'girl'],
  ['boys', 'girls'],
  ['father', 'mother'],
  ['son', 'daughter'],
  ['brother', 'sister'],
  ['husband', 'wife'],
  ['king', 'queen'],
  ['uncle', 'aunt'],
  ['nephew', 'niece'],
];

/** A rule-based edit of an instruction and its answer. */
export interface RuleEdit {
  readonly operation: AugmentOperation;
  readonly instruction: string;
  readonly response: string;
}

/**
 * The counterfactual edits that need no model, each made only where it applies:
 * - `word_swap`: every word of a pair replaced by the other, in the instruction and the answer
 *   alike (case kept), so an answer that names the swapped words stays consistent;
 * - `number_swap`: an instruction with one arithmetic operation on two whole numbers ("12 plus 30",
 *   "add 45 and 19", "7 * 8", "subtract 3 from 10") whose answer holds the result gets new numbers
 *   of the same digit count, and the numbers and the result are replaced in the answer.
 * An answer that needs more than these substitutions (reasoning about the swapped word, other
 * numbers derived from the operands) is beyond them: use a model's counterfactual edits for those.
 */
export function ruleEdits(
  instruction: string,
  response: string,
  opts: { readonly swaps: readonly (readonly [string, string])[]; readonly random: () => number },
): RuleEdit[] {
  const edits: RuleEdit[] = [];
  const swapped = swapWords(instruction, opts.swaps);
  if (swapped !== instruction)
    edits.push({
      operation: 'word_swap',
      instruction: swapped,
      response: swapWords(response, opts.swaps),
    });
  const numbers = numberSwap(instruction, response, opts.random);
  if (numbers) edits.push({ operation: 'number_swap', ...numbers });
  return edits;
}

/** `text` with each word of a pair replaced by its partner (whole words; case kept). */
export function swapWords(text: string, swaps: readonly (readonly [string, string])[]): string {
  const partner = new Map<string, string>();
  for (const [a, b] of swaps) {
    partner.set(a.toLowerCase(), b.toLowerCase());
    partner.set(b.toLowerCase(), a.toLowerCase());
  }
  if (partner.size === 0) return text;
  const alternatives = [...partner.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`\\b(${alternatives.join('|')})\\b`, 'giu');
  return text.replace(pattern, (word) => withCaseOf(word, partner.get(word.toLowerCase()) ?? word));
}

type Operation = (a: number, b: number) => number;
const add: Operation = (a, b) => a + b;
const subtract: Operation = (a, b) => a - b;
const multiply: Operation = (a, b) => a * b;

/** The arithmetic instructions `number_swap` recognises: the operands' groups and the operation. */
const ARITHMETIC: readonly { pattern: RegExp; a: number; b: number; op: Operation }[] = [
  { pattern: /\b(\d+)\s*(?:\+|plus)\s*(\d+)\b/i, a: 1, b: 2, op: add },
  { pattern: /\badd (\d+) (?:and|to) (\d+)\b/i, a: 1, b: 2, op: add },
  { pattern: /\bsum of (\d+) and (\d+)\b/i, a: 1, b: 2, op: add },
  { pattern: /\b(\d+)\s*(?:-|minus)\s*(\d+)\b/i, a: 1, b: 2, op: subtract },
  { pattern: /\bsubtract (\d+) from (\d+)\b/i, a: 2, b: 1, op: subtract },
  { pattern: /\b(\d+)\s*(?:\*|×|x|times|multiplied by)\s*(\d+)\b/i, a: 1, b: 2, op: multiply },
];

function numberSwap(
  instruction: string,
  response: string,
  random: () => number,
): { instruction: string; response: string } | undefined {
  // two whole numbers, no decimals: "3.5" is not the operands 3 and 5
  if (numbersIn(instruction).length !== 2 || /\d[.,]\d/.test(instruction)) return undefined;
  for (const { pattern, a: ai, b: bi, op } of ARITHMETIC) {
    const match = pattern.exec(instruction);
    if (!match) continue;
    const [a, b] = [Number(match[ai]), Number(match[bi])];
    const result = op(a, b);
    if (result < 0 || !numbersIn(response).includes(String(result))) return undefined;
    const [a2, b2] = [sameDigits(a, random), sameDigits(b, random)];
    const result2 = op(a2, b2);
    if (result2 < 0) return undefined;
    const mapping = new Map<string, string>();
    for (const [from, to] of [
      [a, a2],
      [b, b2],
      [result, result2],
    ] as const) {
      const known = mapping.get(String(from));
      // one number standing for two (7 + 7, 0 + 5): its replacement would be ambiguous
      if (known !== undefined && known !== String(to)) return undefined;
      mapping.set(String(from), String(to));
    }
    const replace = (text: string) => text.replace(/\d+/g, (n) => mapping.get(n) ?? n);
    return { instruction: replace(instruction), response: replace(response) };
  }
  return undefined;
}

function numbersIn(text: string): string[] {
  return text.match(/\d+/g) ?? [];
}

/** Another whole number with as many digits as `n` (0 to 9 for one digit). */
function sameDigits(n: number, random: () => number): number {
  const digits = String(n).length;
  const low = digits === 1 ? 0 : 10 ** (digits - 1);
  const span = 10 ** digits - low;
  const other = low + Math.floor(random() * (span - 1));
  return other >= n ? other + 1 : other;
}

function withCaseOf(original: string, word: string): string {
  if (original === original.toUpperCase() && original.length > 1) return word.toUpperCase();
  if (original[0] === original[0]?.toUpperCase())
    return word.charAt(0).toUpperCase() + word.slice(1);
  return word;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
