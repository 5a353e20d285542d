/** `roundup new [--date YYYY-MM] [--template NAME] [--title TEXT]`: scaffold the next issue; never overwrites. */
import path from 'node:path';
import type { Environment } from '../env.js';
import { createIssue } from '../publish/new-issue.js';
import type { Terminal } from '../terminal.js';

export interface NewArgs {
  date?: string;
  template: string;
  title?: string;
}

export async function run(args: NewArgs, terminal: Terminal, env: Environment): Promise<void> {
  const file = createIssue({ ...args, root: env.root });
  const shown = path.relative(process.cwd(), file) || file;
  terminal.out(`created ${shown}: replace every TODO (roundup check ${shown} lists what is left)`);
}
