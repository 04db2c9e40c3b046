/**
 * Exact match as most QA evaluations take it: the prediction equals the reference once both are
 * stripped of surrounding whitespace (JavaScript's `trim`: Unicode white space and line ends).
 */
export function exactMatch(prediction: string, reference: string): boolean {
  return prediction.trim() === reference.trim();
}

/**
 * The looser comparison, `exact_match_normalized`: both sides lowercased, every run of white
 * space made one space, and punctuation (Unicode category P: `.,;:!?'"()[]{}-…`, also `% # & @ *`)
 * cut from both ends, so `"Paris."` matches `paris` while `4.5` and `4,5` stay different.
 * Symbols (category S: `$ + = < >`) are kept.
 */
export function normalizedExactMatch(prediction: string, reference: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(reference);
}

/** The text `normalizedExactMatch` compares. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\p{P} ]+|[\p{P} ]+$/gu, '');
}
