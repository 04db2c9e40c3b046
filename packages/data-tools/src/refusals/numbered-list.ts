/**
 * A few-shot prompt that lists `items` numbered ("1. ...") under `heading` and leaves the next
 * number open, for a model to continue with one more.
 */
export function numberedListPrompt(heading: string, items: readonly string[]): string {
  const lines = items.map((item, i) => `${i + 1}. ${item.replace(/\s+/g, ' ').trim()}\n`);
  return `${heading}\n${lines.join('')}${items.length + 1}.`;
}

/** The items a continuation of `numberedListPrompt` holds: its first line, then each "N." line. */
export function parseNumberedList(continuation: string): string[] {
  const [first = '', ...rest] = continuation.split('\n');
  const later = rest.flatMap((line) => {
    const match = /^\s*\d+\.\s*(.*)$/.exec(line);
    return match ? [match[1] ?? ''] : [];
  });
  return [first, ...later].map((text) => text.trim()).filter((text) => text !== '');
}
