/** `roundup serve [--port N] [--host H] [--archive [DIR]]`: the one-click unsubscribe endpoint, until Ctrl-C. */
import type { Environment } from '../env.js';
import { startServe } from '../publish/serve.js';
import type { Terminal } from '../terminal.js';
import { portOf } from './args.js';
import { untilStopped } from './until-stopped.js';

export interface ServeArgs {
  port: string;
  host: string;
  /** --archive alone: dist/archive. */
  archive?: string | boolean;
}

export async function run(args: ServeArgs, terminal: Terminal, env: Environment): Promise<void> {
  const archive = args.archive === true ? 'dist/archive' : args.archive || undefined;
  const log = (line: string) => terminal.out(`${new Date().toISOString()} ${line}`);
  const running = await startServe({ port: portOf(args.port), host: args.host, archive, log }, env);
  terminal.out(
    `roundup serve: listening on ${running.url}${archive ? ` (archive: ${archive})` : ''}; unsubscribes recorded in ${running.state}; Ctrl-C to stop`,
  );
  await untilStopped(terminal, () => running.close());
}
