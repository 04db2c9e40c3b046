/** Repetition counts from this many words: shorter answers are too short to judge. */
const MIN_WORDS = 4;

/**
 * Whether an answer is coherent in the simple sense a small model fails most often: it is not
 * empty, and it does not loop. Looping is measured by distinct-1 (Li et al. 2016), the share of
 * distinct words among its words (runs of letters or digits, lowercased): an answer of at least 4
 * words with fewer than half of them distinct repeats itself ("the the the the", "is 5 is 5 is 5").
 * It says nothing about whether the answer is right; the checks do that.
 */
export function isCoherent(answer: string): boolean {
  const words = answer.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (answer.trim() === '' || words.length === 0) return false;
  return words.length < MIN_WORDS || new Set(words).size / words.length >= 0.5;
}
