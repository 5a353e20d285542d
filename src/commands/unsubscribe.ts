/** `roundup unsubscribe <email> [--undo]`: add an address to (or take it off) the suppression list. */
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { checkEmail } from '../lists/email.js';
import { openState } from '../state/db.js';
import { getSuppression, suppress, unsuppress } from '../state/suppression.js';
import type { Terminal } from '../terminal.js';

export interface UnsubscribeArgs {
  email: string;
  undo?: boolean;
}

export async function run(args: UnsubscribeArgs, terminal: Terminal, env: Environment): Promise<void> {
  const c = checkEmail(args.email);
  if (!c.ok) throw new RoundupError(ErrorCodes.USAGE, c.reason);
  const db = openState(loadConfig(env.root), env);
  try {
    if (args.undo) {
      terminal.out(unsuppress(db, c.address) ? `${c.address} removed from the suppression list` : `${c.address} was not suppressed`);
      return;
    }
    if (suppress(db, c.address, 'manual')) terminal.out(`${c.address} suppressed: no list will mail it again`);
    else {
      const s = getSuppression(db, c.address)!;
      terminal.out(`${c.address} was already suppressed (${s.reason}, ${s.createdAt})`);
    }
  } finally {
    db.close();
  }
}
