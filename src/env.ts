/**
 * The environment a command runs in, resolved once by `cli.ts` from the process environment
 * and `.env`, then passed down. Library code never reads `process.env`: what it needs from
 * here arrives as an argument, so tests pass an Environment instead of setting variables.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';

export type Vars = Record<string, string | undefined>;

export interface Environment {
  /** The project folder: where roundup.config.yaml, issues/ and templates/ are (the working directory). */
  root: string;
  /** ROUNDUP_STATE_DIR: the state directory, overriding config `stateDir` (relative to root). */
  stateDir?: string;
  /** ROUNDUP_DATABASE_URL: a shared PostgreSQL state database instead of SQLite in the state directory. */
  databaseUrl?: string;
  /** ROUNDUP_SECRET: the unsubscribe signing secret, overriding config and `<stateDir>/secret`. */
  secret?: string;
  /** ROUNDUP_CHROMIUM: the Chromium/Chrome binary for screenshots and browser checks. */
  chromiumPath: string;
  /** SMTP_URL: where `send` delivers when --smtp is not given (none: the outbox folder). */
  smtpUrl?: string;
  /** ROUNDUP_DKIM_PRIVATE_KEY: a PEM key (or a path to one) to DKIM-sign outgoing mail. */
  dkimPrivateKey?: string;
}

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** An empty variable counts as unset (CI systems often define them empty). */
const value = (vars: Vars, key: string): string | undefined => {
  const v = vars[key];
  return v !== undefined && v.trim() !== '' ? v : undefined;
};

export function readEnvironment(vars: Vars, root: string): Environment {
  return {
    root,
    stateDir: value(vars, 'ROUNDUP_STATE_DIR'),
    databaseUrl: value(vars, 'ROUNDUP_DATABASE_URL'),
    secret: value(vars, 'ROUNDUP_SECRET')?.trim(),
    chromiumPath: value(vars, 'ROUNDUP_CHROMIUM') ?? DEFAULT_CHROMIUM,
    smtpUrl: value(vars, 'SMTP_URL'),
    dkimPrivateKey: value(vars, 'ROUNDUP_DKIM_PRIVATE_KEY'),
  };
}

/**
 * `.env` in the project folder fills variables the environment does not set (SMTP_URL,
 * ROUNDUP_SECRET, ROUNDUP_STATE_DIR…), for every command alike: `send` and `serve` must agree
 * on the signing secret, `send` and `unsubscribe` on the state directory. Fills `vars` in place.
 */
export function loadDotenv(file: string, vars: Vars): void {
  if (!existsSync(file)) return;
  for (const [key, v] of Object.entries(parseDotenv(readFileSync(file)))) {
    // An empty variable counts as unset (CI systems often define them empty).
    if (!vars[key]) vars[key] = v;
  }
}
