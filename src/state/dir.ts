/**
 * Where roundup keeps its own files: `ROUNDUP_STATE_DIR`, else config `stateDir` (relative to
 * the project root). A module of its own so the image cache can find the folder without
 * loading the SQLite driver.
 */
import path from 'node:path';
import type { Config } from '../config.js';

export function stateDirOf(config: Pick<Config, 'stateDir'>, root = process.cwd()): string {
  const env = process.env.ROUNDUP_STATE_DIR;
  return path.resolve(root, env && env.trim() !== '' ? env : config.stateDir);
}
