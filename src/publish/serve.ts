/**
 * Starting and stopping `roundup serve` (IO): config, the state database, the signing secret
 * (the same one `send` signs with: env ROUNDUP_SECRET, config, or <stateDir>/secret), then listen.
 */
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { stateDirOf } from '../state/dir.js';
import { openStore, stateLocation } from '../state/index.js';
import { recordStateIdentity } from '../state/intact.js';
import { secretFor } from '../unsubscribe/secret.js';
import { createUnsubscribeServer } from './server.js';

export interface ServeRequest {
  port?: number;
  host?: string;
  /** Folder of a built archive to serve as well. */
  archive?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  /** Where unsubscribes are recorded: the SQLite file, or the PostgreSQL URL (password masked). */
  state: string;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

/** `env`: the project folder, and the state (directory or database URL) and secret `send` uses too. */
export async function startServe(
  req: ServeRequest,
  env: Pick<Environment, 'root' | 'stateDir' | 'databaseUrl' | 'secret'>,
): Promise<RunningServer> {
  const { root } = env;
  const config = loadConfig(root);
  let archiveDir: string | undefined;
  if (req.archive !== undefined) {
    archiveDir = path.resolve(root, req.archive);
    if (!existsSync(archiveDir) || !statSync(archiveDir).isDirectory()) {
      throw new RoundupError(ErrorCodes.NOT_FOUND, 'no archive folder here: run roundup archive first, or pass --archive DIR', {
        file: path.relative(process.cwd(), archiveDir) || archiveDir,
      });
    }
  }
  const store = await openStore(config, env);
  let secret: Buffer;
  try {
    secret = await secretFor(config, env, store);
  } catch (e) {
    await store.close();
    throw e;
  }
  // So that a later send can tell this SQLite database from an empty one put in its place.
  if (stateLocation(config, env).kind === 'sqlite') recordStateIdentity(stateDirOf(config, env));
  const server = createUnsubscribeServer({ config, store, secret, archiveDir, log: req.log });
  const host = req.host ?? DEFAULT_HOST;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(req.port ?? DEFAULT_PORT, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await store.close();
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EADDRINUSE'
        ? `port ${req.port ?? DEFAULT_PORT} is already in use on ${host}: stop the other server or choose another with --port`
        : err.code === 'EACCES'
          ? `not allowed to listen on port ${req.port ?? DEFAULT_PORT}: use a port above 1023 behind the reverse proxy`
          : `cannot listen on ${host}:${req.port ?? DEFAULT_PORT}: ${err.message}`;
    throw new RoundupError(ErrorCodes.USAGE, why);
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    state: store.where,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          void store.close().then(resolve);
        });
        // Keep-alive connections would hold close() open until they time out.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
