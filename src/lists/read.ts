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
  return { name: path.basename(absPath).replace(/\.csv$/i, ''), file, absPath };
}

export function readList(nameOrPath: string, root = process.cwd()): ParsedList & { ref: ListRef } {
  const ref = resolveList(nameOrPath, root);
  const text = readFileSync(ref.absPath, 'utf8');
  return { ...parseList(text, ref.file), ref };
}
