import { describe, expect, it } from 'vitest';
import { userError } from '../helpers/errors.js';
import { checkEmail, detectSeparator, formatListReport, parseList } from '../../src/lists/index.js';

describe('parseList', () => {
  it('reads a UTF-8 BOM, CRLF line ends, quoted fields and a multi-line cell with correct line numbers', () => {
    const text =
      '\uFEFFEmail,Name,organisation\r\n' +
      'ann@example.net,"Ann ""Nan"" Lee","Lee, Lowe & Co"\r\n' +
      'bob@example.net,Bob,"Two\r\nlines"\r\n' +
      'cy@example.net,Cy,Solo\r\n';
    const list = parseList(text, 'lists/t.csv');
    expect(list.separator).toBe(',');
    expect(list.columns).toEqual(['email', 'name', 'organisation']);
    expect(list.recipients.map((r) => [r.line, r.email, r.name])).toEqual([
      [2, 'ann@example.net', 'Ann "Nan" Lee'],
      [3, 'bob@example.net', 'Bob'],
      [5, 'cy@example.net', 'Cy'],
    ]);
    expect(list.recipients[0].fields.organisation).toBe('Lee, Lowe & Co');
    expect(list.recipients[1].fields.organisation).toBe('Two\nlines');
  });

  it('detects ";" as the separator from the header, ignoring separators inside quotes', () => {
    expect(detectSeparator('email;name;"a,b,c"')).toBe(';');
    expect(detectSeparator('email,name,"a;b;c"')).toBe(',');
    const list = parseList('email;name;organisation\nann@example.net;Ann;"Lee; Lowe, Co"\n', 'x.csv');
    expect(list.separator).toBe(';');
    expect(list.recipients[0].fields).toEqual({ email: 'ann@example.net', name: 'Ann', organisation: 'Lee; Lowe, Co' });
  });

  it('reports invalid addresses and empty rows with their lines, and never returns them as recipients', () => {
    const text = [
      'email,name',
      'good@example.net,G',
      'not-an-address,X',
      '',
      ',,',
      'a@b@example.net,Y',
      'bad@example,Z',
      'ok@example.net',
    ].join('\n');
    const list = parseList(text, 'l.csv');
    expect(list.recipients.map((r) => r.email)).toEqual(['good@example.net', 'ok@example.net']);
    expect(list.invalid.map((p) => p.line)).toEqual([3, 6, 7]);
    expect(list.invalid[0].message).toMatch(/not-an-address/);
    expect(list.empty).toEqual([4, 5]);
    expect(list.rows).toBe(7);
  });

  it('keeps the first of case-insensitive duplicates and reports the others', () => {
    const list = parseList('email,name\nAnn@Example.net,First\nann@example.NET,Second\nann@example.net,Third\n', 'l.csv');
    expect(list.recipients).toHaveLength(1);
    expect(list.recipients[0]).toMatchObject({ name: 'First', key: 'ann@example.net', line: 2 });
    expect(list.duplicates).toEqual([
      { line: 3, email: 'ann@example.NET', firstLine: 2 },
      { line: 4, email: 'ann@example.net', firstLine: 2 },
    ]);
  });

  it('treats a row with extra non-empty fields as invalid (a stray separator) but tolerates short rows', () => {
    const list = parseList('email,name\nann@example.net,Ann,extra\nbob@example.net\n', 'l.csv');
    expect(list.invalid).toEqual([{ line: 2, message: expect.stringMatching(/3 fields but the header has 2/) }]);
    expect(list.recipients[0]).toMatchObject({ email: 'bob@example.net', name: '', fields: { email: 'bob@example.net', name: '' } });
  });

  it('throws a located error for a missing email column, a duplicate column and an unclosed quote', () => {
    const err = userError;
    expect(err(() => parseList('mail,name\na@example.net,A\n', 'l.csv'))).toBe(
      'l.csv:1: no "email" column in the header (found: mail, name)',
    );
    expect(err(() => parseList('email,Email\n', 'l.csv'))).toMatch(/^l\.csv:1: column "email" appears twice/);
    expect(err(() => parseList('email,name\na@example.net,"open\nb@example.net,B\n', 'l.csv'))).toMatch(
      /^l\.csv:\d+: cannot read as CSV: .*quote/i,
    );
    expect(err(() => parseList('', 'l.csv'))).toMatch(/^l\.csv:1: the first line must be a header row/);
  });

  it('formats a report with file:line for every problem', () => {
    const list = parseList('email,name\nx,Bad\n\nann@example.net,A\nANN@example.net,B\n', 'lists/m.csv');
    expect(formatListReport(list)).toEqual([
      'lists/m.csv: 4 rows, 1 readers to send to (1 invalid, 1 empty, 1 duplicate)',
      'columns: email, name',
      'lists/m.csv:2: invalid: "x" has no @domain',
      'lists/m.csv:3: empty row',
      'lists/m.csv:5: duplicate of line 4: ANN@example.net (first copy kept)',
    ]);
  });
});

describe('checkEmail', () => {
  it.each([
    ['plain@example.net', 'plain@example.net'],
    ['First.Last+tag@Sub.Example.NET', 'First.Last+tag@Sub.Example.NET'],
    ['  padded@example.net ', 'padded@example.net'],
    ['user@bücher.example', 'user@xn--bcher-kva.example'],
  ])('accepts %s', (raw, address) => {
    const c = checkEmail(raw);
    expect(c.ok && c.address).toBe(address);
    expect(c.ok && c.key).toBe(address.toLowerCase());
  });

  it.each([
    '',
    'no-at.example.net',
    '@example.net',
    'a@',
    'a..b@example.net',
    '.a@example.net',
    'a@example',
    'a@-bad.example',
    'Ann <a@example.net>',
    'a b@example.net',
    'a@example.net\r\nBcc: x@y.z',
  ])('rejects %j', (raw) => {
    expect(checkEmail(raw).ok).toBe(false);
  });
});
