/** Parsing option values, shared by the command table: a mistake is one `--flag "value" …` line. */
import { ErrorCodes, RoundupError } from '../errors.js';

/** `--rate 2.5`: a number, 0 or more. */
export function number(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new RoundupError(ErrorCodes.USAGE, `${flag} "${value}" is not a number`);
    if (n < 0) throw new RoundupError(ErrorCodes.USAGE, `${flag} "${value}" must be 0 or more`);
    return n;
  };
}

/** `--port 8080` for `serve`. */
export function portOf(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) {
    throw new RoundupError(ErrorCodes.USAGE, `--port "${value}" is not a port number (0–65535)`);
  }
  return n;
}
