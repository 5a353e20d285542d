/**
 * The reproducers of issue 13, in-process: each hostile input ends in one located RoundupError
 * (exit 1) or a correct result, quickly; never a hang, a stack overflow or "internal error".
 */
import { simpleParser } from 'mailparser';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, type Config } from '../../src/config.js';
import { isRoundupError, RoundupError } from '../../src/errors.js';
import { expandPartials, strayPartial } from '../../src/issue/partials.js';
import { parseIssueSource } from '../../src/issue/frontmatter.js';
import { resolveList } from '../../src/lists/read.js';
import { parseList } from '../../src/lists/parse.js';
import { mask } from '../../src/mask.js';
import { resolveStatic } from '../../src/publish/static-files.js';
import { renderIssue } from '../../src/render/index.js';
import { loadTemplates, type TemplateSet } from '../../src/render/templates.js';
import { composeMessage, formatMailbox, rawOf } from '../../src/send/compose.js';
import { parseSmtpUrl } from '../../src/send/smtp-url.js';
import { formatStatus } from '../../src/send/status.js';
import { visible, visibleLines } from '../../src/visible.js';
import { makeProject } from '../helpers/project.js';
import { headerViolation } from './fuzz.js';

const HEAD = '---\ntitle: T\nsubject: S\ndate: 2026-11-03\npreheader: p\n---\n\n';

let root: string;
let config: Config;
let templates: TemplateSet;
beforeAll(() => {
  root = makeProject();
  config = loadConfig(root);
  templates = loadTemplates(root);
});

const render = (source: string, t: TemplateSet = templates) => renderIssue(source, 'issues/x.md', { config, templates: t });

/** The error a promise or function ends in: must be a RoundupError (exit 1), with a location. */
async function userError(f: () => unknown): Promise<RoundupError> {
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a RoundupError').toBeInstanceOf(RoundupError);
  const e = caught as RoundupError;
  expect(e.exitCode).toBe(1);
  return e;
}

const timed = async <T>(f: () => T | Promise<T>): Promise<{ value: T; ms: number }> => {
  const t = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t };
};

describe('linear patterns: pathological lines complete well under a second', () => {
  const lines = [
    '{{>'.repeat(40_000), // 120 KB: 12–15 s before
    `{{>${' '.repeat(6_000)}`, // over a minute before
    `{{>${' '.repeat(6_000)}x`,
    '{{>}'.repeat(30_000) + '}}',
    `{{ > ${'a'.repeat(100_000)}`,
    `{{${' '.repeat(100_000)}`,
    // Found by the fuzzer: link text without letters (the link-text rule's trim backtracked)…
    `[Visit ${'}'.repeat(6_000)}](https://a.example/)`,
    // …and trailing spaces trimmed from the text part by a pattern that retried every position.
    `\`\`\`\n${' '.repeat(100_000)}x\n\`\`\``,
  ];

  it('the partial-tag scan', () => {
    for (const line of lines.slice(0, 6)) {
      const t = performance.now();
      strayPartial(line);
      expect(performance.now() - t, line.slice(0, 20)).toBeLessThan(250);
    }
    expect(strayPartial('see {{> promo}} here')).toBe('promo');
    expect(strayPartial('{{>a}b}} then {{> c }}')).toBe('c');
    expect(strayPartial('{{ > }')).toBeNull();
  });

  it('the whole render and preflight of an issue made of such lines', async () => {
    for (const line of lines) {
      const { ms } = await timed(async () => {
        try {
          await render(`${HEAD}${line}\n`);
        } catch (e) {
          if (!isRoundupError(e)) throw e;
        }
      });
      expect(ms, line.slice(0, 20)).toBeLessThan(3000);
    }
  });

  it('credential masking and control-character escaping on long text', () => {
    const long = `${'a'.repeat(200_000)}:${'b'.repeat(200_000)}`;
    for (const text of [long, 'x://'.repeat(50_000), `smtp://${'u'.repeat(100_000)}`, `${'a+'.repeat(100_000)}://x`]) {
      const t = performance.now();
      mask(text);
      visibleLines(text);
      visible(text);
      expect(performance.now() - t).toBeLessThan(500);
    }
    expect(mask('see smtp://ann:s3cret@mail.example:587 and https://x:y@z/')).toBe(
      'see smtp://ann:****@mail.example:587 and https://x:****@z/',
    );
  });
});

describe('every mistake is one located line (exit 1), never a crash', () => {
  it('emphasis nested thousands deep (html-to-text overflowed)', async () => {
    const e = await userError(() => render(`${HEAD}${'*'.repeat(5000)}x${'*'.repeat(5000)}\n`));
    expect(e.format()).toMatch(/^issues\/x\.md:8: emphasis or links nested more than \d+ deep/);
  });

  it('10,000 headings: refused at once, not 30 s and 840 MB', async () => {
    const body = Array.from({ length: 10_000 }, (_, i) => `## H${i}\n\ntext\n`).join('\n');
    const { ms } = await timed(() => userError(() => render(HEAD + body)));
    expect(ms).toBeLessThan(2000);
    const few = Array.from({ length: 150 }, (_, i) => `## H${i}\n`).join('\n');
    expect((await userError(() => render(HEAD + few))).format()).toMatch(/issues\/x\.md:\d+: more than 100 sections/);
  });

  it('thousands of buttons: refused at the first block over the limit', async () => {
    const body = '[Read the briefing](https://a.example/x)\n\n'.repeat(1000);
    const { value } = await timed(() => userError(() => render(HEAD + body)));
    expect(value.format()).toBe(
      'issues/x.md:808: more than 400 blocks (buttons, images, quotes, paragraphs between them): an email this long is clipped by every inbox; split it into several issues',
    );
  });

  it('front-matter nested 5,000 deep, as flow and as block YAML', async () => {
    const flow = `---\ntitle: T\nsubject: S\ndate: 2026-11-03\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n---\nhi\n`;
    expect((await userError(() => parseIssueSource(flow, 'issues/x.md'))).format()).toMatch(/^issues\/x\.md:\d+: YAML nested too deeply/);
    const block = `---\ntitle: T\nsubject: S\ndate: 2026-11-03\nx:\n${Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i + 1)}- \n`).join('')}---\nhi\n`;
    expect((await userError(() => parseIssueSource(block, 'issues/x.md'))).format()).toMatch(/^issues\/x\.md:\d+: YAML nested too deeply/);
  });

  it('YAML alias bombs and undefined aliases, in front-matter and config', async () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    ];
    const fm = `---\ntitle: T\nsubject: S\ndate: 2026-11-03\n${bomb.join('\n')}\n---\nhi\n`;
    expect((await userError(() => parseIssueSource(fm, 'issues/x.md'))).format()).toMatch(
      /^issues\/x\.md:\d+: YAML aliases expand too much/,
    );
    const undef = '---\ntitle: T\nsubject: S\ndate: 2026-11-03\nx: *nope\n---\nhi\n';
    expect((await userError(() => parseIssueSource(undef, 'issues/x.md'))).format()).toBe(
      'issues/x.md:5: YAML alias *nope refers to no anchor (&nope) defined before it',
    );
    expect((await userError(() => parseConfig(`organisation: *o\n`, 'roundup.config.yaml'))).format()).toMatch(
      /^roundup\.config\.yaml:1: YAML alias \*o/,
    );
  });

  it('an unsupported locale, validated against Intl at its line', async () => {
    for (const locale of ['root', 'xx', 'en_GB', '']) {
      const text = `${readConfigText()}\nlocale: "${locale}"\n`;
      const e = await userError(() => parseConfig(text.replace(/^locale:.*\n/m, ''), 'roundup.config.yaml'));
      expect(e.format(), locale).toMatch(/^roundup\.config\.yaml:\d+: config "locale" must be a language tag/);
    }
  });

  it('a 200,000-line partial, and partials that include each other deeply', async () => {
    const big = new Map(templates.partials);
    big.set('big', { file: 'templates/partials/big.md', text: 'line\n'.repeat(200_000) });
    expect((await userError(() => render(`${HEAD}{{> big}}\n`, { ...templates, partials: big }))).format()).toMatch(
      /^templates\/partials\/big\.md:1: the issue is over 10,000 lines/,
    );
    const chain = (name: string) =>
      name.startsWith('p') && Number(name.slice(1)) < 3000
        ? { file: `templates/partials/${name}.md`, text: `{{> p${Number(name.slice(1)) + 1}}}` }
        : undefined;
    const e = await userError(() => expandPartials('{{> p1}}', { file: 'issues/x.md', line: 7 }, chain));
    expect(e.format()).toMatch(/^templates\/partials\/p20\.md:1: partials include each other more than 20 deep/);
  });

  it('"%zz" in an SMTP URL password: a usage error that does not echo it', async () => {
    const e = await userError(() => parseSmtpUrl('smtp://ann:pa%zzss@mail.example:587'));
    expect(e.message).toMatch(/password has a "%" that is not followed by two hex digits/);
    expect(e.message).not.toContain('pa%zzss');
  });

  it('a CSV column named __proto__ or constructor is refused at line 1; fields have no prototype', async () => {
    for (const col of ['__proto__', 'constructor', 'toString', 'prototype']) {
      const e = await userError(() => parseList(`email,${col}\na@example.net,x\n`, 'lists/l.csv'));
      expect(e.format()).toMatch(new RegExp(`^lists/l\\.csv:1: column "${col}" has a name roundup reserves`));
    }
    const fields = parseList('email,name\na@example.net,Ann\n', 'lists/l.csv').recipients[0].fields;
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(fields.constructor).toBeUndefined();
  });

  it('a list file name with CR/LF is refused before anything is recorded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'roundup-crlf-'));
    mkdirSync(path.join(dir, 'lists'));
    writeFileSync(path.join(dir, 'lists', 'bad\r\nname.csv'), 'email\na@example.net\n');
    const e = await userError(() => resolveList('lists/bad\r\nname.csv', dir));
    expect(e.message).toMatch(/file name contains a line break/);
  });
});

describe('limits on what a reader receives', () => {
  it('a 1 MB name, or any field over 1,000 characters, makes the row invalid (never sent)', () => {
    const list = parseList(`email,name\na@example.net,${'N'.repeat(1_000_000)}\nb@example.net,Bea\n`, 'lists/l.csv');
    expect(list.recipients.map((r) => r.email)).toEqual(['b@example.net']);
    expect(list.invalid).toEqual([
      { line: 2, message: expect.stringMatching(/column "name" is 1,000,000 characters long \(at most 1,000\)/) },
    ]);
  });

  const compose = (name: string, subject: string) =>
    rawOf(
      composeMessage({
        from: { name: 'News', email: 'news@firm.example' },
        to: { name, email: 'a@example.net' },
        subject,
        textQp: ['hi'],
        htmlQp: ['<p>hi</p>'],
        messageId: '<m@firm.example>',
        date: new Date(Date.UTC(2026, 10, 3)),
        listId: '"Firm: members" <members.firm.example>',
        unsubscribeUrl: 'https://firm.example/u/t',
        unsubscribeMailto: 'mailto:news@firm.example',
      }),
    );

  it('header lines are folded within RFC 5322 whatever the name or subject (a 1,000-character word)', () => {
    const raw = compose('W'.repeat(1000), `S${'s'.repeat(2000)} and more`);
    expect(headerViolation(raw)).toBeUndefined();
    for (const line of raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('encoded words typed in a name or subject are encoded by us and read back as the literal text', async () => {
    const sneaky = '=?utf-8?B?DQpCY2M6IGV2aWxAeC5leGFtcGxl?=';
    const raw = compose(`Ann ${sneaky}`, `Hello ${sneaky}`);
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).not.toContain(sneaky);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(`Hello ${sneaky}`);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0].name : '').toBe(`Ann ${sneaky}`);
    expect(parsed.bcc).toBeUndefined();
    // A plain ASCII name stays readable.
    expect(formatMailbox({ name: 'Ann Lee', email: 'a@example.net' })).toBe('"Ann Lee" <a@example.net>');
  });
});

describe('redirects and terminal escapes', () => {
  it('archive folder redirects are path-absolute on this host, never protocol-relative', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'roundup-arch-'));
    mkdirSync(path.join(dir, '2026-11'));
    writeFileSync(path.join(dir, '2026-11', 'index.html'), 'x');
    // As the server hands the path over (after URL parsing): `/.//2026-11` arrives as `//2026-11`.
    // `/%2f` is the root folder asked for without a slash: `/`, not `//`.
    expect(resolveStatic(dir, '/%2f')).toEqual({ kind: 'redirect', location: '/' });
    for (const p of ['//2026-11', '/2026-11', '///2026-11', '//2026-11//']) {
      if (p.endsWith('/')) {
        expect(resolveStatic(dir, p).kind).toBe('file');
        continue;
      }
      expect(resolveStatic(dir, p), p).toEqual({ kind: 'redirect', location: '/2026-11/' });
    }
  });

  it('status shows control characters from SMTP replies and addresses as escapes', () => {
    const lines = formatStatus([
      {
        issue: '2026-11',
        list: 'members',
        counts: { queued: 0, sending: 0, sent: 0, failed: 1, suppressed: 0, total: 1, possibleDuplicates: 0 },
        running: null,
        workers: [{ host: 'h\x1b]0;x\x07', pid: 1, live: false, sent: 1, failed: 1 }],
        finishedAt: null,
        subject: 'S',
        failures: [{ email: 'a@example.net', line: 2, attempts: 1, lastResponse: '550 \x1b]0;pwned\x07no\r' }],
        bounces: {
          hard: 0,
          soft: 0,
          complaints: 0,
          unsubscribes: 0,
          autoReplies: 0,
          reputation: 0,
          reputationReasons: {},
          complaintRate: 0,
          complaintRateHigh: false,
        },
      } as unknown as Parameters<typeof formatStatus>[0][number],
    ]).join('\n');
    expect(lines).not.toMatch(/[\x1b\x07\r]/);
    expect(lines).toContain('550 \\x1b]0;pwned\\x07no\\r');
  });

  it('visibleLines keeps roundup colours and line breaks, escapes everything else', () => {
    expect(visibleLines('\x1b[31merror\x1b[39m\n\tok')).toBe('\x1b[31merror\x1b[39m\n\tok');
    expect(visibleLines('a\x1b]8;;https://evil.example\x07b\rc\u202ed')).toBe('a\\x1b]8;;https://evil.example\\x07b\\rc\\u202ed');
    expect(visible('x\ny\x1b[31m')).toBe('x\\ny\\x1b[31m');
  });
});

function readConfigText(): string {
  return readFileSync(path.join(root, 'roundup.config.yaml'), 'utf8');
}
