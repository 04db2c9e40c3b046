/**
 * Self-Instruct's heuristic filters on generated instructions (Wang et al. 2023, section 2.3, and
 * Stanford Alpaca's generate_instruction.py, which applies the same): instructions a language model
 * cannot carry out (about images, files, audio...), too short or too long, starting with
 * punctuation or a non-ASCII character, or asking for a program.
 */
export interface InstructionFilters {
  /** Fewer words than this is too short; default 4 (Alpaca drops <= 3). */
  readonly minWords: number;
  /** More words than this is too long; default 150. */
  readonly maxWords: number;
  readonly blockedKeywords: readonly string[];
}

export const DEFAULT_INSTRUCTION_FILTERS: InstructionFilters = {
  minWords: 4,
  maxWords: 150,
  blockedKeywords: [
    'image',
    'images',
    'graph',
    'graphs',
    'picture',
    'pictures',
    'file',
    'files',
    'map',
    'maps',
    'draw',
    'plot',
    'go to',
    'video',
    'audio',
    'music',
    'flowchart',
    'diagram',
  ],
};

/** Why an instruction is dropped, or undefined when it passes. */
export function instructionRejection(
  instruction: string,
  filters: InstructionFilters = DEFAULT_INSTRUCTION_FILTERS,
): string | undefined {
  const words = instruction.split(/\s+/).filter((w) => w !== '');
  if (words.length < filters.minWords) return 'too_short';
  if (words.length > filters.maxWords) return 'too_long';
  const lower = instruction.toLowerCase();
  if (filters.blockedKeywords.some((k) => new RegExp(`\\b${escapeRegExp(k)}\\b`).test(lower)))
    return 'keyword';
  if (lower.startsWith('write a program')) return 'program';
  const first = instruction.charAt(0);
  if (/[\p{P}\p{S}]/u.test(first)) return 'punctuation';
  if (first.charCodeAt(0) > 127) return 'non_ascii';
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
