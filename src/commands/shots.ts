/** `roundup preview --shots [file] [--out DIR]`: PNGs of each issue into shots/<slug>/. */
import path from 'node:path';
import pc from 'picocolors';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { launchChromium } from '../preview/browser.js';
import { withInlineImages } from '../images/publish.js';
import { screenshotEmail } from '../preview/shots.js';
import { openProject } from '../project.js';
import { personalise, renderEach } from '../render/index.js';
import { sampleValues } from '../sample.js';
import type { Terminal } from '../terminal.js';

export interface ShotsArgs {
  files: string[];
  out: string;
}

export async function run(args: ShotsArgs, terminal: Terminal, env: Environment): Promise<void> {
  const { root, config, templates, targets } = openProject(args.files, 'screenshot', env.root);
  const browser = await launchChromium(env.chromiumPath);
  const c = pc.createColors(terminal.colour);
  let failed = 0;
  try {
    failed = await renderEach(
      targets,
      { root, config, templates, stateDir: env.stateDir },
      async (issue) => {
        const { html } = personalise(issue, sampleValues(config));
        // Local images go in as data: URLs (not published yet; screenshots fetch nothing).
        const written = await screenshotEmail(browser, withInlineImages(html, issue.images), path.resolve(root, args.out, issue.slug));
        for (const w of written) terminal.out(`${c.green('shot')} ${path.relative(process.cwd(), w)}`);
      },
      (e) => terminal.err(`roundup: ${e.format()}`),
    );
  } finally {
    await browser.close();
  }
  if (failed) throw new RoundupError(ErrorCodes.CHECK, `${failed} of ${targets.length} issue(s) could not be rendered`);
}
