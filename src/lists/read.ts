/** Finding and reading a list file: the IO half of src/lists (parsing is in parse.ts). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, RoundupError } from '../errors.js';
import { parseList, type ParsedList } from './parse.js';

export interface ListRef {
  /** The list's identity in send state: file name without .csv ("members"). */
  name: string;
  /** Path as shown to the user (relative to cwd when possible). */
  file: string;
  absPath: string;
}

/**
 * `--list members` → lists/members.csv; `--list ./x/y.csv` → that file. A bare name is looked
 * up in lists/ first so a list named like a folder in cwd still resolves the expected way.
 */
export function resolveList(nameOrPath: string, root = process.cwd()): ListRef {
  const looksLikePath = /[\\/]/.test(nameOrPath) || nameOrPath.endsWith('.csv');
  const candidates = looksLikePath
    ? [path.resolve(root, nameOrPath)]
    : [path.join(root, 'lists', `${nameOrPath}.csv`), path.resolve(root, nameOrPath)];
  const absPath = candidates.find((p) => existsSync(p) && statSync(p).isFile());
  if (!absPath) {
    const shown = path.relative(process.cwd(), candidates[0]) || candidates[0];
    throw new RoundupError(ErrorCodes.NOT_FOUND, `no such list: ${shown}`, { file: shown });
  }
  const file = path.relative(process.cwd(), absPath) || absPath;
  const name = path.basename(absPath).replace(/\.csv$/i, '');
  // The name goes into every reader's unsubscribe token, List-Id header and send record: a line
  // break there made every message fail. Refused here, once, before anything is recorded.
  if (/[\x00-\x1f\x7f-\x9f]/.test(name)) {
    throw new RoundupError(ErrorCodes.LIST, 'the list file name contains a line break or another control character: rename the file', {
      file,
    });
  }
  return { name, file, absPath };
}

export function readList(nameOrPath: string, root = process.cwd()): ParsedList & { ref: ListRef } {
  const ref = resolveList(nameOrPath, root);
  let bytes: Buffer;
  try {
    bytes = readFileSync(ref.absPath);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : (err.code ?? err.message);
    throw new RoundupError(ErrorCodes.LIST, `cannot read the list: ${why}`, { file: ref.file });
  }
  return { ...parseList(decodeUtf8(bytes, ref.file), ref.file), ref };
}

/**
 * Lists must be UTF-8. A spreadsheet saved as Latin-1 or Windows-1252 would otherwise be read
 * with U+FFFD in place of every accented letter, and those names would go out garbled.
 */
export function decodeUtf8(bytes: Buffer, file: string): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // Find the line: a UTF-8 sequence never contains a newline byte, so lines decode alone.
    let line = 1;
    for (let start = 0; start < bytes.length; line++) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end === -1 ? bytes.length : end;
      try {
        decoder.decode(bytes.subarray(start, stop));
      } catch {
        break;
      }
      start = stop + 1;
    }
    throw new RoundupError(ErrorCodes.LIST, 'not UTF-8 text: save the list as "CSV UTF-8" (this looks like Latin-1 or Windows-1252)', {
      file,
      line,
    });
  }
}
