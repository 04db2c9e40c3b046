import { UserError } from '@tunekit/core';

/**
 * The assistant spans of a rendered conversation cannot be found, so its loss mask cannot be
 * made; the text itself rendered (`tunekit template render` still shows it).
 */
export class SpanError extends UserError {
  override readonly name = 'SpanError';
}
