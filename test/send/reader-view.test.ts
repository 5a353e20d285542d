/**
 * What a reader's mail client gets, through a real SMTP server: the plain-text part wrapped at
 * 76 columns after the recipient fields are filled in (a long name or organisation must not
 * make long lines), with the footer's "why you receive this" line.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Document, parseDocument } from 'yaml';
import { parseConfig } from '../../src/config.js';
import { RoundupError } from '../../src/errors.js';
import { runSend } from '../../src/send/run.js';
import { captureIO, headerOf, makeSendProject, parse, startSmtp, type TestSmtp } from './helpers.js';

const LONG_NAME = 'Dr Maximiliana Fortescue-Arbuthnot Wellington-Smythe of Upper Broughton';
const LONG_ORG = 'The Royal Northgate and Southbridge Community Healthcare NHS Foundation Trust';
const CSV = ['email,name,organisation', `long@example.net,${LONG_NAME},${LONG_ORG}`, 'short@example.net,Bo,A'].join('\n');

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());
afterEach(() => {
  smtp.messages.length = 0;
});

async function sendAll(opts: { listName?: string; config?: (doc: Document) => void } = {}) {
  const p = makeSendProject({ csv: CSV, listName: opts.listName });
  if (opts.config) {
    const file = path.join(p.root, 'roundup.config.yaml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    opts.config(doc);
    writeFileSync(file, doc.toString());
  }
  const c = captureIO();
  const summary = await runSend('bulletin', { list: opts.listName ?? 'readers', smtp: smtp.url, yes: true }, c.io, p);
  expect(summary.stop).toBe('done');
  const raw = new Map(smtp.messages.map((m) => [m.to, m.raw] as const));
  const parsed = new Map(await Promise.all(smtp.messages.map(async (m) => [m.to, await parse(m)] as const)));
  return Object.assign(parsed, { raw });
}

describe('the plain-text part a reader receives', () => {
  it('is wrapped at 76 columns after the merge, URLs excepted, for long and short values alike', async () => {
    const byTo = await sendAll();
    for (const [to, m] of byTo) {
      const lines = m.text!.replace(/\r\n/g, '\n').split('\n');
      const long = lines.filter((l) => l.length > 76);
      // Only a line that is one unbreakable URL may be longer.
      for (const l of long) expect(l, `${to}: ${l}`).toMatch(/^\S*https?:\/\/\S+$/);
      expect(
        lines.some((l) => / $/.test(l)),
        `${to}: trailing space`,
      ).toBe(false);
    }
    const text = byTo.get('long@example.net')!.text!.replace(/\r\n/g, '\n');
    // The whole greeting is there, re-wrapped around the long values (words never split).
    expect(text.replace(/\s+/g, ' ')).toContain(`Hello ${LONG_NAME} of ${LONG_ORG}. Café crème, naïve façade`);
    expect(text).toMatch(/^Hello Dr Maximiliana[^\n]{0,60}\n/m);
    // The bullet keeps its hanging indent when it wraps.
    expect(text).toMatch(/^ \* Two\. Another item, long enough to wrap across a few lines when the plain\n {3}text part/m);
  });

  it('keeps the footer: organisation, address, why you receive it, unsubscribe', async () => {
    const byTo = await sendAll();
    const text = byTo.get('short@example.net')!.text!.replace(/\r\n/g, '\n');
    expect(text).toMatch(/Hartwell & Finch LLP\n14 Lantern Yard/);
    expect(text).toContain('You receive Send Test Bulletin because you subscribed to it.');
    expect(text).toMatch(/Unsubscribe:\s+https:\/\/\S+\/u\/\S+/);
  });
});

describe('List-Id, what mail filters see', () => {
  it('is neutral by default: the newsletter, never the CSV file name', async () => {
    const sent = await sendAll({ listName: 'leads-imported-from-crm-2026' });
    const id = headerOf(sent.raw.get('short@example.net')!, 'list-id');
    expect(id).toBe('"Hartwell & Finch LLP" <newsletter.hartwellfinch.example>');
    expect(id).not.toMatch(/leads|crm/i);
  });

  it('takes a display name and id per list from config (a label gets the from domain)', async () => {
    const sent = await sendAll({
      listName: 'members',
      config: (doc) => {
        doc.setIn(['lists', 'members'], doc.createNode({ name: 'Integrated care roundup', id: 'integrated-care' }));
        doc.setIn(['lists', 'other'], doc.createNode({ id: 'x.lists.example' }));
      },
    });
    expect(headerOf(sent.raw.get('long@example.net')!, 'list-id')).toBe(
      '"Integrated care roundup" <integrated-care.hartwellfinch.example>',
    );
  });

  it('refuses an id that is not a dot-atom, at its config line', () => {
    const base = readFileSync(path.join(process.cwd(), 'roundup.config.yaml'), 'utf8');
    const text = `${base}\nlists:\n  members:\n    id: "care news!"\n`;
    const line = text.split('\n').indexOf('    id: "care news!"') + 1;
    expect(() => parseConfig(text)).toThrow(RoundupError);
    try {
      parseConfig(text);
    } catch (e) {
      expect((e as RoundupError).line).toBe(line);
      expect((e as RoundupError).message).toMatch(/lists\.members\.id.*letters, digits and hyphens/);
    }
  });
});
