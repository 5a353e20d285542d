/** `roundup preview [file] [--port N]`: start the server, print its address, run until Ctrl-C. */
import { untilStopped } from '../until-stopped.js';
import path from 'node:path';
import pc from 'picocolors';
import { loadConfig } from '../config.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { slugOf } from '../naming.js';
import { startPreviewServer } from './server.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new RoundupError(ErrorCodes.USAGE, `--port must be a number from 0 to 65535, not "${value}"`);
  }
  return port;
}

export async function runPreview(file: string | undefined, opts: { port: string; root?: string }): Promise<void> {
  const root = opts.root ?? process.cwd();
  const port = parsePort(opts.port);
  // A missing or broken config is reported the usual way before anything starts listening;
  // later config mistakes are shown in the page instead.
  loadConfig(root);
  let server: Awaited<ReturnType<typeof startPreviewServer>>;
  try {
    server = await startPreviewServer({ root, port });
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
  if (file) {
    const slug = slugOf(file);
    if (!server.store.issues.has(slug)) {
      await server.close();
      throw new RoundupError(ErrorCodes.NOT_FOUND, 'no such issue: preview shows files in issues/*.md', { file: path.normalize(file) });
    }
    url = `${server.url}/issue/${encodeURIComponent(slug)}`;
  }
  process.stdout.write(
    `${pc.green('preview')} ${url}  (${server.store.issues.size} issue(s); watching issues/, templates/, the config; Ctrl-C to stop)\n`,
  );
  await untilStopped(() => server.close());
}
