import { UserError } from '@tunekit/core';

/**
 * The latest turn of a conversation does not fit the history budget even alone (with the system
 * message): `tokens` it takes against the `budget`. A caller may refuse that turn and go on.
 */
export class TurnTooLongError extends UserError {
  override readonly name = 'TurnTooLongError';

  constructor(
    readonly tokens: number,
    readonly budget: number,
  ) {
    super(
      `the latest turn does not fit the history budget: with the system message it takes ${tokens} tokens, the budget is ${budget}`,
    );
  }
}
