/**
 * The one line a user would see for a mistake: `f` must throw a RoundupError, and this returns
 * its `format()` (file:line: message), failing the test if `f` throws anything else or nothing.
 */
import { expect } from 'vitest';
import { RoundupError } from '../../src/errors.js';

export function userError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RoundupError);
    return (e as RoundupError).format();
  }
  throw new Error('expected an error');
}
