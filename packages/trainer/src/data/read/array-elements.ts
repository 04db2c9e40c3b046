import { UserError } from '@tunekit/core';

/** The text of one element of a JSON array, and the line (1-based) it starts on. */
export interface ArrayElement {
  readonly line: number;
  readonly text: string;
}

/**
 * Splits the JSON array in `text` into the texts of its top-level elements without parsing them,
 * so each record is parsed (and, if bad, reported or skipped) on its own and named by its line,
 * as a JSONL record is. The scan tracks strings and nesting only; an array that is never closed,
 * or text after it, is an error naming `file`.
 */
export function arrayElements(text: string, file: string): ArrayElement[] {
  const elements: ArrayElement[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let startLine = 0;
  let closed = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++; // JSON strings hold no raw newline, so every one counts
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (closed >= 0) {
      if (!/\s/.test(c))
        throw new UserError(`${file}:${line}: unexpected text after the JSON array`);
      continue;
    }
    const atElementEnd = depth === 1 && (c === ',' || c === ']');
    if (atElementEnd) {
      const element = start < 0 ? '' : text.slice(start, i).trim();
      if (element !== '' || c === ',' || elements.length > 0)
        elements.push({ line: start < 0 ? line : startLine, text: element });
      start = -1;
    } else if (depth >= 1 && start < 0 && !/\s/.test(c)) {
      start = i;
      startLine = line;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) closed = i;
    }
  }
  if (closed < 0) throw new UserError(`${file}: the JSON array is not closed with ']'`);
  return elements;
}
