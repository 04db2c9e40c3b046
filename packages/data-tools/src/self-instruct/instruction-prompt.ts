/**
 * Self-Instruct's instruction-generation prompt (Wang et al. 2023, Table 5): a line that asks for
 * tasks, the in-context instructions numbered "Task 1:", "Task 2:"..., and the next number open
 * for the model to continue.
 */
export function instructionPrompt(instructions: readonly string[]): string {
  const tasks = instructions.map((instruction, i) => `Task ${i + 1}: ${oneLine(instruction)}\n`);
  return `Come up with a series of tasks:\n${tasks.join('')}Task ${instructions.length + 1}:`;
}

/**
 * The instructions a continuation of `instructionPrompt` holds: its first line (the open task), and
 * each later "Task N:" line, in order; text after an unnumbered line break of a task is dropped.
 */
export function parseInstructions(continuation: string): string[] {
  const [first = '', ...rest] = continuation.split('\n');
  const later = rest.flatMap((line) => {
    const match = /^\s*Task \d+:\s*(.*)$/.exec(line);
    return match ? [match[1] ?? ''] : [];
  });
  return [first, ...later].map((text) => text.trim()).filter((text) => text !== '');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
