/** `roundup archive [--out DIR]`: the public web archive (index, one page per issue, feeds); drafts left out. */
import path from 'node:path';
import type { Environment } from '../env.js';
import { buildArchive } from '../publish/archive.js';
import type { Terminal } from '../terminal.js';

export interface ArchiveArgs {
  out: string;
}

export async function run(args: ArchiveArgs, terminal: Terminal, env: Environment): Promise<void> {
  const r = await buildArchive({ root: env.root, out: args.out, stateDir: env.stateDir });
  const shown = path.relative(process.cwd(), r.out) || r.out;
  const drafts = r.drafts.length ? `; left out ${r.drafts.length} draft(s): ${r.drafts.join(', ')}` : '';
  const images = r.images ? `, ${r.images} image(s)` : '';
  terminal.out(`archive: ${r.entries.length} issue(s)${images}, index and feeds in ${shown}/${drafts}`);
}
