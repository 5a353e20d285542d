/**
 * Subscriber list parsing: CSV text → recipients plus every problem found, with line numbers.
 *
 * Pure (no IO) so `lists check`, `send` and the tests share one reading of a list. Nothing here
 * throws for a bad row: bad rows are collected and reported, and never reach the send queue.
 * Only a file that cannot be read as CSV at all (no header, unclosed quote) throws.
 */
import { parse } from 'csv-parse/sync';
import { ErrorCodes, RoundupError } from '../errors.js';
import { checkEmail } from './email.js';

export interface Recipient {
  /** 1-based line of the row's first line in the file. */
  line: number;
  /** Address for RCPT TO and the To header. */
  email: string;
  /** Case-folded address: the identity used for de-duplication, state and suppression. */
  key: string;
  name: string;
  /** Every column by its header (including email and name), for `{{recipient.*}}`. */
  fields: Record<string, string>;
}

export interface RowProblem {
  line: number;
  message: string;
}

export interface Duplicate {
  line: number;
  email: string;
  /** Line of the copy that is kept. */
  firstLine: number;
}

export interface ParsedList {
  file: string;
  separator: ',' | ';';
  /** Header names as written, with email/name canonicalised to lower case. */
  columns: string[];
  recipients: Recipient[];
  invalid: RowProblem[];
  empty: number[];
  duplicates: Duplicate[];
  /** Data rows seen (excluding the header, including empty and bad ones). */
  rows: number;
}

/** `;` when the header uses more semicolons than commas outside quotes (spreadsheet exports in many locales). */
export function detectSeparator(headerLine: string): ',' | ';' {
  let commas = 0;
  let semis = 0;
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semis++;
  }
  return semis > commas ? ';' : ',';
}

/**
 * A field longer than this is a pasting accident, not a name: a 1 MB name made a 1,000,003-
 * character To: line and a 500,000-character one a 55 MB message. Bounding every field bounds
 * the personalised message too.
 */
export const MAX_FIELD_LENGTH = 1000;

/**
 * Names that would read or replace something every JavaScript object inherits (`__proto__`,
 * `constructor`, `toString`…): refused up front, with the line, rather than sent as "[object Object]".
 */
const RESERVED_COLUMN = (name: string) => name in Object.prototype || name === 'prototype';

export function parseList(text: string, file: string): ParsedList {
  // Normalise line ends first: csv-parse counts a CRLF inside a quoted field as two lines,
  // which would put every later line number off by one.
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const firstLine = src.slice(0, src.indexOf('\n') === -1 ? undefined : src.indexOf('\n'));
  if (firstLine.trim() === '') {
    throw new RoundupError(ErrorCodes.LIST, 'the first line must be a header row naming the columns, e.g. "email,name"', { file, line: 1 });
  }
  const separator = detectSeparator(firstLine);

  let records: { record: string[]; info: { lines: number } }[];
  // csv-parse builds an Error for every row with fewer or more fields than the header, even
  // when relaxed (it is never thrown); capturing each one's stack was half the time of reading
  // a list with thousands of short rows. Restored at once: nothing else runs meanwhile.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    records = parse(src, {
      delimiter: separator,
      relax_column_count: true,
      skip_empty_lines: false,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    Error.stackTraceLimit = stackLimit;
    throw csvError(e, file);
  } finally {
    Error.stackTraceLimit = stackLimit;
  }

  const { columns, emailCol } = readHeader(records[0].record, file);
  const out: ParsedList = { file, separator, columns, recipients: [], invalid: [], empty: [], duplicates: [], rows: 0 };
  const firstSeen = new Map<string, number>();
  let prevEnd = records[0].info.lines;
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r];
    const line = prevEnd + 1;
    prevEnd = info.lines;
    // A final newline yields no record; a blank line mid-file yields [""].
    out.rows++;
    const row = classifyRow(record, line, columns, emailCol, separator);
    if (row.kind === 'empty') out.empty.push(line);
    else if (row.kind === 'invalid') out.invalid.push({ line, message: row.message });
    else {
      const first = firstSeen.get(row.recipient.key);
      if (first !== undefined) {
        out.duplicates.push({ line, email: row.recipient.email, firstLine: first });
        continue;
      }
      firstSeen.set(row.recipient.key, line);
      out.recipients.push(row.recipient);
    }
  }
  return out;
}

/** The header row → canonical column names; throws a located error for a header roundup cannot use. */
export function readHeader(record: readonly string[], file: string): { columns: string[]; emailCol: number } {
  const header = record.map((h) => h.trim());
  const columns = header.map((h) => (/^(email|name)$/i.test(h) ? h.toLowerCase() : h));
  const emailCol = columns.indexOf('email');
  if (emailCol === -1) {
    throw new RoundupError(ErrorCodes.LIST, `no "email" column in the header (found: ${header.join(', ') || 'nothing'})`, {
      file,
      line: 1,
    });
  }
  const seenCols = new Set<string>();
  for (const c of columns) {
    if (c === '') throw new RoundupError(ErrorCodes.LIST, 'a header column has no name', { file, line: 1 });
    if (RESERVED_COLUMN(c)) {
      throw new RoundupError(ErrorCodes.LIST, `column "${c}" has a name roundup reserves: rename it (e.g. "${c.replace(/_/g, '')}_")`, {
        file,
        line: 1,
      });
    }
    if (/[\x00-\x1f\x7f]/.test(c)) {
      throw new RoundupError(ErrorCodes.LIST, `a column name contains a control character: rename it`, { file, line: 1 });
    }
    if (seenCols.has(c)) throw new RoundupError(ErrorCodes.LIST, `column "${c}" appears twice in the header`, { file, line: 1 });
    seenCols.add(c);
  }
  return { columns, emailCol };
}

export type RowResult = { kind: 'empty' } | { kind: 'invalid'; message: string } | { kind: 'ok'; recipient: Recipient };

/** One data row → a recipient, or why it is not one (de-duplication is the caller's). */
export function classifyRow(
  record: readonly string[],
  line: number,
  columns: readonly string[],
  emailCol: number,
  separator: string,
): RowResult {
  if (record.every((v) => v.trim() === '')) return { kind: 'empty' };
  if (record.length > columns.length && record.slice(columns.length).some((v) => v.trim() !== '')) {
    return { kind: 'invalid', message: `${record.length} fields but the header has ${columns.length} (a stray "${separator}"?)` };
  }
  const check = checkEmail(record[emailCol] ?? '');
  if (!check.ok) return { kind: 'invalid', message: check.reason };
  // No prototype: a column can never read or replace an inherited property.
  const fields = Object.create(null) as Record<string, string>;
  let tooLong = -1;
  columns.forEach((c, i) => {
    fields[c] = (record[i] ?? '').trim();
    if (tooLong === -1 && fields[c].length > MAX_FIELD_LENGTH) tooLong = i;
  });
  if (tooLong !== -1) {
    return {
      kind: 'invalid',
      message: `column "${columns[tooLong]}" is ${fields[columns[tooLong]].length.toLocaleString('en')} characters long (at most ${MAX_FIELD_LENGTH.toLocaleString('en')}): every message would carry it`,
    };
  }
  fields.email = check.address;
  return { kind: 'ok', recipient: { line, email: check.address, key: check.key, name: fields.name ?? '', fields } };
}

/** A csv-parse error as one located line. */
export function csvError(e: unknown, file: string): RoundupError {
  const err = e as { message?: string; lines?: number };
  const msg = (err.message ?? String(e)).replace(/^[^:]*: ?/, '').replace(/ at line \d+\.?$/, '');
  return new RoundupError(ErrorCodes.LIST, `cannot read as CSV: ${msg}`, { file, line: err.lines });
}
