/** Where the state lives. Light on purpose: loading the secret must not load the SQLite driver. */
import path from 'node:path';
import type { Config } from '../config.js';

/** `ROUNDUP_STATE_DIR`, else config `stateDir` (relative to the project root). */
export function stateDirOf(config: Pick<Config, 'stateDir'>, root = process.cwd()): string {
  const env = process.env.ROUNDUP_STATE_DIR;
  return path.resolve(root, env && env.trim() !== '' ? env : config.stateDir);
}
