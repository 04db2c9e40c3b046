/**
 * A mistake the user can fix (bad config, bad shapes in model code, bad file).
 * The CLI prints `message` without a stack trace.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}

/** A shape or dtype that an op cannot accept; the message names the op, the shapes and the axis. */
export class ShapeError extends UserError {
  override readonly name = 'ShapeError';
}
