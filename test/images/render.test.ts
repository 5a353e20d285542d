/**
 * Local images through the real render pipeline and the real `roundup build`: the <img> the
 * email gets (absolute URL, display size, alt), where the file lands, and what is reported.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'cheerio';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { personalise, renderIssueFile } from '../../src/render/index.js';
import { loadTemplates } from '../../src/render/templates.js';
import { makeProject, runCli } from '../helpers/project.js';
import { animatedGif, largePng, phoneJpeg } from './helpers.js';

const issue = (body: string, extra = '') =>
  `---\ntitle: Images roundup\nsubject: Pictures this month\ndate: 2026-12-01\npreheader: With photos.\n${extra}---\n\n${body}\n`;

let dir: string;
beforeAll(async () => {
  dir = makeProject();
  mkdirSync(path.join(dir, 'issues/images'), { recursive: true });
  writeFileSync(path.join(dir, 'issues/images/team.jpg'), await phoneJpeg(3000, 2000));
  writeFileSync(path.join(dir, 'issues/images/chart.png'), await largePng(400, 300));
  writeFileSync(path.join(dir, 'issues/images/party.gif'), await animatedGif(1500, 1000));
  mkdirSync(path.join(dir, 'templates/partials/img'), { recursive: true });
  writeFileSync(path.join(dir, 'templates/partials/img/centre.png'), await largePng(1600, 400));
  writeFileSync(
    path.join(dir, 'templates/partials/promo.md'),
    '## Resource centre\n\n![Our resource centre](img/centre.png)\n\nVisit us.\n',
  );
});

const render = async (name: string, text: string, configYaml?: (y: string) => string) => {
  writeFileSync(path.join(dir, 'issues', name), text);
  let config = loadConfig(dir);
  if (configYaml) {
    const { parseConfig } = await import('../../src/config.js');
    config = parseConfig(configYaml(readFileSync(path.join(dir, 'roundup.config.yaml'), 'utf8')));
  }
  const rendered = await renderIssueFile(path.join('issues', name), { root: dir, config, templates: loadTemplates(dir) });
  return { rendered, $: load(personalise(rendered, { recipient: {}, unsubscribeUrl: 'https://u.example/u/x' }).html) };
};

describe('local images in the rendered email', () => {
  it('links each image at siteUrl/<slug>/images/<hashed name>, with alt text and its display size', async () => {
    const { rendered, $ } = await render(
      'img-basic.md',
      issue(
        '## Event\n\n![The team on stage at the conference](images/team.jpg)\n\nA chart inline ![Chart of referrals](images/chart.png) in a sentence.\n\n![Party](images/party.gif)',
      ),
    );
    const config = loadConfig(dir);
    const site = config.siteUrl.replace(/\/+$/, '');
    const imgs = $('img')
      .toArray()
      .map((el) => $(el));
    const team = imgs.find((i) => i.attr('alt') === 'The team on stage at the conference');
    expect(team?.attr('src')).toMatch(new RegExp(`^${site}/img-basic/images/team-[0-9a-f]{12}\\.jpg$`));
    // Upright 2000×3000 photo → 1072×1608 file → shown 536×804 in the 536 px column.
    expect([team?.attr('width'), team?.attr('height')]).toEqual(['536', '804']);
    expect(team?.attr('style')).toContain('height:auto');
    const chart = imgs.find((i) => i.attr('alt') === 'Chart of referrals');
    // A 400 px chart is shown at its own size, never stretched.
    expect([chart?.attr('width'), chart?.attr('height')]).toEqual(['400', '300']);
    expect(chart?.attr('src')).toMatch(/\/img-basic\/images\/chart-[0-9a-f]{12}\.png$/);
    const party = imgs.find((i) => i.attr('alt') === 'Party');
    expect(party?.attr('src')).toMatch(/\/img-basic\/images\/party-[0-9a-f]{12}\.gif$/);
    expect([party?.attr('width'), party?.attr('height')]).toEqual(['536', '358']);

    expect(rendered.images.map((i) => [i.src, i.pos.line, i.ok])).toEqual([
      ['images/team.jpg', 10, true],
      ['images/chart.png', 12, true],
      ['images/party.gif', 14, true],
    ]);
    for (const i of rendered.images) {
      if (!i.ok) throw new Error('expected ok');
      expect(i.url).toBe(`${site}/${i.sitePath}`);
      expect(i.sitePath).toBe(`img-basic/images/${i.output.name}`);
    }
    // The text part names no image file (alt text is what a text reader gets).
    expect(personalise(rendered, { recipient: {}, unsubscribeUrl: 'https://u.example/u/x' }).text).not.toContain('images/');
  });

  it('resolves an image in a partial relative to the partial, and honours assets.baseUrl', async () => {
    const { rendered, $ } = await render(
      'img-partial.md',
      issue('Intro.\n\n{{> promo}}'),
      (y) => `${y}\nassets:\n  baseUrl: https://cdn.firm.example/news/\n`,
    );
    const img = $('img[alt="Our resource centre"]');
    expect(img.attr('src')).toMatch(/^https:\/\/cdn\.firm\.example\/news\/img-partial\/images\/centre-[0-9a-f]{12}\.png$/);
    expect([img.attr('width'), img.attr('height')]).toEqual(['536', '134']);
    expect(rendered.images[0].pos).toEqual({ file: path.relative(process.cwd(), path.join(dir, 'templates/partials/promo.md')), line: 3 });
  });

  it('leaves remote URLs and placeholders alone, and keeps a missing or escaping image as a located problem', async () => {
    const { rendered, $ } = await render(
      'img-problems.md',
      issue(
        'Intro.\n\n![Remote](https://cdn.firm.example/a.jpg)\n\n![Placeholder](TODO)\n\nText first,\nthen ![Gone](images/gone.jpg) on line two.\n\n![Secret](../../../etc/passwd.png)',
      ),
    );
    expect($('img[alt="Remote"]').attr('src')).toBe('https://cdn.firm.example/a.jpg');
    expect($('img[alt="Placeholder"]').attr('src')).toBe('TODO');
    expect(rendered.images.map((i) => (i.ok ? 'ok' : [i.src, i.pos.line, i.problem.kind]))).toEqual([
      ['images/gone.jpg', 15, 'missing'],
      ['../../../etc/passwd.png', 17, 'escapes'],
    ]);
    const gone = rendered.images[0];
    expect(!gone.ok && gone.problem.message).toMatch(/^image "images\/gone\.jpg" not found \(looked for .*issues\/images\/gone\.jpg\)/);
  });
});

describe('roundup build with local images', () => {
  it('writes each image beside the issue at the path its URL names, prints sizes, and reuses the cache', async () => {
    const project = makeProject({ issues: { '2026-12.md': issue('## Event\n\n![The team on stage](images/team.jpg)') } });
    mkdirSync(path.join(project, 'issues/images'));
    writeFileSync(path.join(project, 'issues/images/team.jpg'), await phoneJpeg(3000, 2000));

    const first = runCli(['build'], project);
    expect(first.code, first.stderr).toBe(0);
    const line = first.stdout.split('\n').find((l) => l.includes('image issues/images/team.jpg'));
    expect(line).toMatch(
      /image issues\/images\/team\.jpg → dist\/2026-12\/images\/team-[0-9a-f]{12}\.jpg \(1072×1608, [\d.]+ KB; was 2000×3000 JPEG, [\d.]+ (KB|MB)\)$/,
    );
    const html = readFileSync(path.join(project, 'dist/2026-12/index.html'), 'utf8');
    const src = load(html)('img[alt="The team on stage"]').attr('src') ?? '';
    const config = loadConfig(project);
    // The URL path under siteUrl is exactly the file's path under dist/.
    const rel = src.slice(config.siteUrl.replace(/\/+$/, '').length + 1);
    const meta = await sharp(path.join(project, 'dist', rel)).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 1072, 1608, undefined]);

    const second = runCli(['build'], project);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`${path.basename(rel)} (1072×1608`);
    expect(second.stdout).toMatch(/; cached\)\n/);
  });
});

describe('roundup archive with local images', () => {
  it('publishes every image at exactly the URL path the email uses, and refuses a missing one at file:line', async () => {
    const project = makeProject({
      issues: {
        '2026-12.md': issue('## Event\n\n![The team on stage](images/team.jpg)\n\n![Party](images/party.gif)'),
        '2027-01.md': issue('Draft with a photo not taken yet.\n\n![Later](images/later.jpg)', 'draft: true\n'),
      },
    });
    mkdirSync(path.join(project, 'issues/images'));
    writeFileSync(path.join(project, 'issues/images/team.jpg'), await phoneJpeg(1600, 1200));
    writeFileSync(path.join(project, 'issues/images/party.gif'), await animatedGif(600, 400));

    const r = runCli(['archive'], project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/archive: 1 issue\(s\), 2 image\(s\)/);
    const site = loadConfig(project).siteUrl.replace(/\/+$/, '');
    // The email as sent (build) and the archive page link the same URLs; each resolves to a file in the archive.
    runCli(['build', 'issues/2026-12.md'], project);
    const $ = load(readFileSync(path.join(project, 'dist/2026-12/index.html'), 'utf8'));
    const srcs = $('img[alt="The team on stage"], img[alt="Party"]')
      .map((_, el) => $(el).attr('src'))
      .get();
    expect(srcs).toHaveLength(2);
    const archived = readFileSync(path.join(project, 'dist/archive/2026-12/index.html'), 'utf8');
    for (const src of srcs) {
      expect(src.startsWith(`${site}/2026-12/images/`)).toBe(true);
      expect(archived).toContain(src);
      const file = path.join(project, 'dist/archive', src.slice(site.length + 1));
      expect(readFileSync(file).equals(readFileSync(path.join(project, 'dist', src.slice(site.length + 1))))).toBe(true);
    }

    // Published (no longer a draft) with its photo missing: the archive stops, naming the line.
    writeFileSync(path.join(project, 'issues/2027-01.md'), issue('Now published.\n\n![Later](images/later.jpg)'));
    const broken = runCli(['archive'], project);
    expect(broken.code).toBe(1);
    expect(broken.stderr.trim()).toMatch(
      /^roundup: issues\/2027-01\.md:10: image "images\/later\.jpg" not found \(looked for issues\/images\/later\.jpg\)/,
    );
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });
});
