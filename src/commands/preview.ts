/**
 * `roundup preview [file] [--port N]`: start the server, print its address, run until Ctrl-C.
 * With --shots, write screenshots instead (shots.ts).
 */
import path from 'node:path';
import pc from 'picocolors';
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { slugOf } from '../naming.js';
import { startPreviewServer } from '../preview/server.js';
import type { Terminal } from '../terminal.js';
import { untilStopped } from './until-stopped.js';

export interface PreviewArgs {
  file?: string;
  port: string;
  shots?: boolean;
  /** Screenshot folder (with --shots). */
  out: string;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new RoundupError(ErrorCodes.USAGE, `--port must be a number from 0 to 65535, not "${value}"`);
  }
  return port;
}

export async function run(args: PreviewArgs, terminal: Terminal, env: Environment): Promise<void> {
  if (args.shots) {
    const shots = await import('./shots.js');
    return shots.run({ files: args.file ? [args.file] : [], out: args.out }, terminal, env);
  }
  const { root } = env;
  const port = parsePort(args.port);
  // A missing or broken config is reported the usual way before anything starts listening;
  // later config mistakes are shown in the page instead.
  loadConfig(root);
  let server: Awaited<ReturnType<typeof startPreviewServer>>;
  try {
    server = await startPreviewServer({ root, port, stateDir: env.stateDir, onError: (message) => terminal.err(`roundup: ${message}`) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new RoundupError(
        ErrorCodes.USAGE,
        `port ${port} is in use (another preview running?): pass --port with a free port, or --port 0 for any`,
      );
    }
    throw e;
  }
  let url = `${server.url}/`;
  if (args.file) {
    const slug = slugOf(args.file);
    if (!server.store.issues.has(slug)) {
      await server.close();
      throw new RoundupError(ErrorCodes.NOT_FOUND, 'no such issue: preview shows files in issues/*.md', {
        file: path.normalize(args.file),
      });
    }
    url = `${server.url}/issue/${encodeURIComponent(slug)}`;
  }
  const c = pc.createColors(terminal.colour);
  terminal.out(
    `${c.green('preview')} ${url}  (${server.store.issues.size} issue(s); watching issues/, templates/, the config; Ctrl-C to stop)`,
  );
  await untilStopped(terminal, () => server.close());
}
