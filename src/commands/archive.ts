/** `roundup archive [--out DIR]`: the public web archive (index, one page per issue, feeds); drafts left out. */
import path from 'node:path';
import type { Environment } from '../env.js';
import { buildArchive } from '../publish/archive.js';
import type { Terminal } from '../terminal.js';

export interface ArchiveArgs {
  out: string;
}

export async function run(args: ArchiveArgs, terminal: Terminal, env: Environment): Promise<void> {
  const r = await buildArchive({ root: env.root, out: args.out });
  const shown = path.relative(process.cwd(), r.out) || r.out;
  const drafts = r.drafts.length ? `; left out ${r.drafts.length} draft(s): ${r.drafts.join(', ')}` : '';
  terminal.out(`archive: ${r.entries.length} issue(s), index and feeds in ${shown}/${drafts}`);
}
