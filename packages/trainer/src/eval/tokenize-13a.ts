// sacrebleu's default tokenizer, `13a` (sacrebleu/tokenizers/tokenizer_13a.py with the
// TokenizerRegexp of tokenizer_re.py): mteval-v13a.pl's tokenization, as WMT scores BLEU.

/** What Python's str.split() and str.strip() take for whitespace (str.isspace), unlike JS `\s`. */
const PY_WHITESPACE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Python counts the separators \x1c-\x1f as whitespace
  /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Python's `text.split()`: runs of whitespace separate, none at the ends. */
export function pySplit(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((word) => word !== '');
}

/** Python's `text.rstrip()`. */
export function pyRstrip(text: string): string {
  return text.replace(new RegExp(`${PY_WHITESPACE.source}$`), '');
}

// Applied in order, each over the whole line, as Python's re.sub does.
const RULES: readonly [RegExp, string][] = [
  // language-dependent part (Western languages): most ASCII punctuation and symbols
  [/([{-~[-` -&(-+:-@/])/g, ' $1 '],
  // period and comma unless preceded by a digit
  [/([^0-9])([.,])/g, '$1 $2 '],
  // period and comma unless followed by a digit
  [/([.,])([^0-9])/g, ' $1 $2'],
  // dash when preceded by a digit
  [/([0-9])(-)/g, '$1 $2 '],
];

/** A line tokenized as sacrebleu's `13a`: tokens separated by single spaces. */
export function tokenize13a(text: string): string {
  const unescaped = text
    .replaceAll('<skipped>', '')
    .replaceAll('-\n', '')
    .replaceAll('\n', ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
  let line = ` ${unescaped} `;
  for (const [pattern, replacement] of RULES) line = line.replace(pattern, replacement);
  return pySplit(line).join(' ');
}
