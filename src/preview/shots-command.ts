/** `roundup preview --shots [file] [--out DIR]`: PNGs of each issue into shots/<slug>/. */
import path from 'node:path';
import pc from 'picocolors';
import { openProject } from '../project.js';
import { ErrorCodes, RoundupError, isRoundupError } from '../errors.js';
import { personalise, renderIssueFile } from '../render/index.js';
import { sampleValues } from '../sample.js';
import { launchChromium } from './browser.js';
import { screenshotEmail } from './shots.js';

export async function runShots(files: string[], opts: { out: string; root?: string }): Promise<void> {
  const { root, config, templates, targets } = openProject(files, 'screenshot', opts.root);
  const browser = await launchChromium();
  let failed = 0;
  try {
    for (const file of targets) {
      try {
        const issue = await renderIssueFile(file, { root, config, templates });
        const { html } = personalise(issue, sampleValues(config));
        const written = await screenshotEmail(browser, html, path.resolve(root, opts.out, issue.slug));
        for (const w of written) process.stdout.write(`${pc.green('shot')} ${path.relative(process.cwd(), w)}\n`);
      } catch (e) {
        if (!isRoundupError(e)) throw e;
        failed++;
        process.stderr.write(`roundup: ${e.format()}\n`);
      }
    }
  } finally {
    await browser.close();
  }
  if (failed) throw new RoundupError(ErrorCodes.CHECK, `${failed} of ${targets.length} issue(s) could not be rendered`);
}
