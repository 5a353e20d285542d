/** Where the state lives. Light on purpose: loading the secret must not load the SQLite driver. */
import path from 'node:path';
import type { Config } from '../config.js';

/** Which state directory: the environment's (ROUNDUP_STATE_DIR), else config `stateDir`; relative to the project root. */
export interface StateDirChoice {
  root?: string;
  stateDir?: string;
}

export function stateDirOf(config: Pick<Config, 'stateDir'>, where: StateDirChoice = {}): string {
  return path.resolve(where.root ?? process.cwd(), where.stateDir ?? config.stateDir);
}
