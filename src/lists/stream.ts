/**
 * Reading a list file as a stream, for `roundup send`: rows are checked as they are parsed and
 * handed on in batches (the send queues them in the state database), so memory does not grow
 * with the list. The row rules are parse.ts's (`readHeader`, `classifyRow`), shared with the
 * whole-file `parseList` that `lists check`, `--test` and the tests use.
 *
 * De-duplication is the consumer's: the state database already holds one row per address, so
 * it reports a repeated address back (with the line of the copy kept) instead of this reader
 * keeping every address seen in memory.
 */
import { parse } from 'csv-parse';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ErrorCodes, RoundupError } from '../errors.js';
import { classifyRow, csvError, detectSeparator, readHeader, type Duplicate, type Recipient, type RowProblem } from './parse.js';
import { decodeUtf8, type ListRef } from './read.js';

export interface ListScan {
  file: string;
  separator: ',' | ';';
  columns: string[];
  /** Data rows seen (excluding the header, including empty and bad ones). */
  rows: number;
  /** Readers the consumer kept (valid, not duplicates). */
  valid: number;
  invalid: RowProblem[];
  empty: number[];
  duplicates: Duplicate[];
  /** How many of each problem (the arrays above keep the first 10,000 of each). */
  counts: { invalid: number; empty: number; duplicates: number };
}

/** Problems kept for the report; beyond this only the counts grow (a broken export can have millions). */
const KEEP_PROBLEMS = 10_000;

export interface ScanOptions {
  batchSize?: number;
  /** Stop after the header (the send's preflight needs the columns before anything else). */
  headerOnly?: boolean;
}

/**
 * Stream `ref` through the list rules. `onBatch` receives valid rows in file order and returns
 * the ones that repeat an earlier address. Throws a located RoundupError for a file that is
 * not UTF-8 or not CSV, like `readList`.
 */
export async function scanList(
  ref: ListRef,
  onBatch: (batch: Recipient[]) => Promise<Duplicate[]> = async () => [],
  opts: ScanOptions = {},
): Promise<ListScan> {
  const batchSize = opts.batchSize ?? 1000;
  const chunks = textChunks(ref);
  const first = await firstLine(chunks);
  if (first.line.trim() === '') {
    throw new RoundupError(ErrorCodes.LIST, 'the first line must be a header row naming the columns, e.g. "email,name"', {
      file: ref.file,
      line: 1,
    });
  }
  const separator = detectSeparator(first.line);
  const parser = parse({ delimiter: separator, relax_column_count: true, skip_empty_lines: false, info: true });
  const source = Readable.from(
    (async function* () {
      yield first.buffered;
      yield* chunks;
    })(),
  );
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);

  const out: ListScan = {
    file: ref.file,
    separator,
    columns: [],
    rows: 0,
    valid: 0,
    invalid: [],
    empty: [],
    duplicates: [],
    counts: { invalid: 0, empty: 0, duplicates: 0 },
  };
  let columns: string[] | undefined;
  let emailCol = 0;
  let prevEnd = 0;
  let batch: Recipient[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const b = batch;
    batch = [];
    const dups = await onBatch(b);
    out.valid += b.length - dups.length;
    for (const d of dups) if (out.duplicates.length < KEEP_PROBLEMS) out.duplicates.push(d);
    out.counts.duplicates += dups.length;
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = prevEnd + 1;
      prevEnd = info.lines;
      if (!columns) {
        ({ columns, emailCol } = readHeader(record, ref.file));
        out.columns = columns;
        if (opts.headerOnly) break;
        continue;
      }
      out.rows++;
      const row = classifyRow(record, line, columns, emailCol, separator);
      if (row.kind === 'ok') {
        batch.push(row.recipient);
        if (batch.length >= batchSize) await flush();
      } else if (row.kind === 'empty') {
        if (out.counts.empty++ < KEEP_PROBLEMS) out.empty.push(line);
      } else if (out.counts.invalid++ < KEEP_PROBLEMS) out.invalid.push({ line, message: row.message });
    }
    await flush();
  } catch (e) {
    if (e instanceof RoundupError) throw e;
    throw csvError(e, ref.file);
  } finally {
    source.destroy();
    parser.destroy();
  }
  return out;
}

/** The list's header only: its columns, for the preflight. */
export async function listColumns(ref: ListRef): Promise<string[]> {
  return (await scanList(ref, undefined, { headerOnly: true })).columns;
}

/**
 * The file as UTF-8 text chunks with line ends normalised to \n (csv-parse counts a CRLF inside
 * a quoted field as two lines) and without a BOM. Bytes that are not UTF-8 are reported at
 * their line by re-reading the file with the whole-file decoder (an error path only).
 */
async function* textChunks(ref: ListRef): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry = '';
  let start = true;
  let stream: ReturnType<typeof createReadStream>;
  try {
    stream = createReadStream(ref.absPath, { highWaterMark: 256 * 1024 });
    for await (const buf of stream) {
      let text: string;
      try {
        text = decoder.decode(buf as Buffer, { stream: true });
      } catch {
        decodeUtf8(readFileSync(ref.absPath), ref.file); // throws with the line
        throw new RoundupError(ErrorCodes.LIST, 'not UTF-8 text', { file: ref.file });
      }
      if (start) {
        text = text.replace(/^\uFEFF/, '');
        start = text === '';
      }
      text = carry + text;
      // A CR at the end of a chunk may be half of a CRLF: hold it back.
      carry = text.endsWith('\r') ? '\r' : '';
      if (carry) text = text.slice(0, -1);
      if (text) yield text.replace(/\r\n?/g, '\n');
    }
    try {
      const tail = decoder.decode();
      if (tail || carry) yield (carry + tail).replace(/\r\n?/g, '\n');
    } catch {
      decodeUtf8(readFileSync(ref.absPath), ref.file);
    }
  } catch (e) {
    if (e instanceof RoundupError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : (err.code ?? err.message);
    throw new RoundupError(ErrorCodes.LIST, `cannot read the list: ${why}`, { file: ref.file });
  }
}

/** Read chunks until the first line is complete: the separator is detected from it. */
async function firstLine(chunks: AsyncGenerator<string>): Promise<{ line: string; buffered: string }> {
  let buffered = '';
  while (!buffered.includes('\n')) {
    const next = await chunks.next();
    if (next.done) break;
    buffered += next.value;
  }
  const nl = buffered.indexOf('\n');
  return { line: nl === -1 ? buffered : buffered.slice(0, nl), buffered };
}
