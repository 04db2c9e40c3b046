import type { TextRange } from '../loss/index.js';

const ON = '\u001b[1;32m';
const OFF = '\u001b[0m';

/**
 * `text` with the trained ranges marked: green and bold for a terminal, `[[` `]]` otherwise.
 * Ranges may overlap or touch; they are merged first.
 */
export function highlight(text: string, trained: readonly TextRange[], colour: boolean): string {
  const [open, close] = colour ? [ON, OFF] : ['[[', ']]'];
  let out = '';
  let at = 0;
  for (const range of merge(trained)) {
    out += `${text.slice(at, range.start)}${open}${text.slice(range.start, range.end)}${close}`;
    at = range.end;
  }
  return out + text.slice(at);
}

function merge(ranges: readonly TextRange[]): TextRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: TextRange[] = [];
  for (const range of sorted) {
    const last = out.at(-1);
    if (last !== undefined && range.start <= last.end) {
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    } else {
      out.push(range);
    }
  }
  return out;
}
