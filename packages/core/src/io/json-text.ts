import { UserError } from '../errors/index.js';

/** `text` parsed as JSON; invalid JSON is a UserError naming `source` and the parser's reason. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${source}: not valid JSON (${(err as Error).message})`);
  }
}
