import { ShapeError, UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { reportError } from './report-error.js';

function report(error: unknown, verbose = false): { code: number; text: string } {
  let text = '';
  const code = reportError(error, verbose, (t) => {
    text += t;
  });
  return { code, text };
}

describe('reportError', () => {
  it('prints a UserError (and its subclasses) as one line, without a stack, exit code 1', () => {
    expect(report(new UserError('config.json: no model_type'))).toEqual({
      code: 1,
      text: 'error: config.json: no model_type\n',
    });
    expect(report(new ShapeError('matmul: [2,3] @ [4,5]')).text).toBe(
      'error: matmul: [2,3] @ [4,5]\n',
    );
  });

  it('adds the stack and causes of a UserError with --verbose', () => {
    const error = new UserError('plugin failed', { cause: new TypeError('x is undefined') });
    const { code, text } = report(error, true);
    expect(code).toBe(1);
    expect(text).toMatch(/^error: UserError: plugin failed\n\s+at /);
    expect(text).toContain('caused by: TypeError: x is undefined');
  });

  it('prints any other error as a bug, with its stack, exit code 2', () => {
    const { code, text } = report(new RangeError('index 9 out of range'));
    expect(code).toBe(2);
    expect(text).toMatch(/^internal error .*: RangeError: index 9 out of range\n\s+at /);
    expect(report('thrown string').text).toContain('thrown string');
  });
});
