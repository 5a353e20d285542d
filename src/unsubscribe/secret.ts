/**
 * The unsubscribe signing secret comes from ROUNDUP_SECRET, else config `unsubscribe.secret`,
 * else a random one generated once into `<stateDir>/secret` (mode 0600; the state directory is
 * git-ignored). Changing it invalidates every unsubscribe link already sent, so it is never
 * regenerated.
 *
 * On a shared PostgreSQL (ROUNDUP_DATABASE_URL) the generated secret lives in the database
 * instead (`secretFor`): the web host running `serve` and `bounces scan` has a state folder of
 * its own, and a file there would be a different secret, so every link already sent would
 * answer "not valid" there.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { stateDirOf, type StateDirChoice } from '../state/dir.js';

export const SECRET_FILE = 'secret';

/** Load (or create once) the signing secret. */
export function loadSecret(
  config: Pick<Config, 'stateDir'> & { unsubscribe?: { secret?: string } },
  where: StateDirChoice & { /** ROUNDUP_SECRET */ secret?: string } = {},
): Buffer {
  const env = where.secret;
  if (env && env.trim() !== '') return checked(Buffer.from(env.trim(), 'utf8'), 'ROUNDUP_SECRET');
  const fromConfig = config.unsubscribe?.secret;
  if (fromConfig) return checked(Buffer.from(fromConfig, 'utf8'), 'unsubscribe.secret');
  const dir = stateDirOf(config, where);
  const file = path.join(dir, SECRET_FILE);
  try {
    return checked(Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx': if two processes race, one creates it and the other reads the winner's secret.
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return checked(Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8'), file);
  }
  return Buffer.from(secret, 'utf8');
}

/** The part of the store `secretFor` uses (a type, so this module loads no database driver). */
export interface SecretStore {
  readonly backend: 'sqlite' | 'postgres';
  settingOrInit(key: string, initial: () => string): Promise<string>;
}

export const SECRET_SETTING = 'unsubscribe-secret';

/**
 * The signing secret for commands that have the state open. ROUNDUP_SECRET and config
 * `unsubscribe.secret` win as always; SQLite keeps `<stateDir>/secret`. On PostgreSQL a
 * generated secret is kept in the shared database, made once by whichever machine comes first:
 * from this machine's `<stateDir>/secret` when it has one (so links it signed before the move
 * keep working), else random.
 */
export async function secretFor(
  config: Pick<Config, 'stateDir'> & { unsubscribe?: { secret?: string } },
  where: StateDirChoice & { secret?: string },
  store: SecretStore,
): Promise<Buffer> {
  const explicit = where.secret && where.secret.trim() !== '';
  if (explicit || config.unsubscribe?.secret || store.backend === 'sqlite') return loadSecret(config, where);
  const value = await store.settingOrInit(SECRET_SETTING, () => localSecret(config, where) ?? randomBytes(32).toString('base64url'));
  return checked(Buffer.from(value, 'utf8'), 'the shared database');
}

/** This machine's generated secret, if it has one (never creates it). */
export function localSecret(config: Pick<Config, 'stateDir'>, where: StateDirChoice): string | undefined {
  try {
    return readFileSync(path.join(stateDirOf(config, where), SECRET_FILE), 'utf8').trim() || undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function checked(secret: Buffer, where: string): Buffer {
  if (secret.length < 16) {
    throw new RoundupError(ErrorCodes.CONFIG, `the unsubscribe signing secret from ${where} is too short (at least 16 characters)`);
  }
  return secret;
}
