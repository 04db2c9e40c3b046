import type { ChatTemplate } from '@tunekit/core';
import { TEMPLATES } from '../plugin.js';

/**
 * The text `tunekit template list` prints: one line per template, id then description. Pass the
 * templates registered in the run's container to include third-party ones.
 */
export function listTemplates(templates: readonly ChatTemplate[] = TEMPLATES): string {
  const width = Math.max(0, ...templates.map((t) => t.id.length)) + 2;
  return templates.map((t) => `${t.id.padEnd(width)}${t.description}\n`).join('');
}
