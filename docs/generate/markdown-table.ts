/**
 * A Markdown table. Cells are text: a pipe or a line break would end the cell, and `<` would open
 * an HTML tag (VitePress compiles pages as Vue templates), so they are escaped.
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]) {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Plain text for a table cell. */
export function cellText(text: string): string {
  return text
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replace(/\s*\n\s*/g, ' ');
}

/** Text as inline code in a table cell (a pipe still ends the cell unless escaped). */
export function cellCode(text: string): string {
  return `\`${text.replaceAll('|', '\\|')}\``;
}
