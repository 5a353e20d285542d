/** `roundup unsubscribe <email> [--undo]`: add an address to (or take it off) the suppression list. */
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { checkEmail } from '../lists/email.js';
import { openRecordedStore } from '../state/db.js';
import type { Terminal } from '../terminal.js';

export interface UnsubscribeArgs {
  email: string;
  undo?: boolean;
}

export async function run(args: UnsubscribeArgs, terminal: Terminal, env: Environment): Promise<void> {
  const c = checkEmail(args.email);
  if (!c.ok) throw new RoundupError(ErrorCodes.USAGE, c.reason);
  const store = await openRecordedStore(loadConfig(env.root), env, 'roundup unsubscribe');
  try {
    if (args.undo) {
      terminal.out(
        (await store.unsuppress(c.address)) ? `${c.address} removed from the suppression list` : `${c.address} was not suppressed`,
      );
      return;
    }
    if (await store.suppress(c.address, 'manual')) terminal.out(`${c.address} suppressed: no list will mail it again`);
    else {
      const s = (await store.getSuppression(c.address))!;
      terminal.out(`${c.address} was already suppressed (${s.reason}, ${s.createdAt})`);
    }
  } finally {
    await store.close();
  }
}
