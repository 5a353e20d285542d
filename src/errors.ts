/**
 * Typed errors for every user mistake roundup can detect.
 *
 * Library code throws `RoundupError`; only the CLI entry point (src/cli.ts) turns one into a
 * single `file:line: message` line and a non-zero exit. Stack traces appear only with
 * DEBUG=roundup, so an editor never has to read one.
 */

/** Error-code catalog (in the manner of nodemailer's EAUTH/ECONNECTION codes). */
export const ErrorCodes = {
  CONFIG: 'ECONFIG', // roundup.config.yaml missing a key, wrong type, bad YAML
  FRONT_MATTER: 'EFRONTMATTER', // issue front-matter missing/mistyped key or YAML syntax
  TEMPLATE: 'ETEMPLATE', // unknown template or a Handlebars error in one
  PARTIAL: 'EPARTIAL', // {{> name}} names no templates/partials/name.md
  MJML: 'EMJML', // MJML validation failed at strict level
  NOT_FOUND: 'ENOTFOUND', // a named file does not exist
  USAGE: 'EUSAGE', // bad command-line arguments
  LIST: 'ELIST', // subscriber list problem
  STATE: 'ESTATE', // send state problem (locked, corrupt)
  SEND: 'ESEND', // delivery stopped (auto-pause, refused preflight)
  CHECK: 'ECHECK', // preflight found errors
  EXISTS: 'EEXISTS', // refusing to overwrite a file
  CHROMIUM: 'ECHROMIUM', // no browser for screenshots
  BODY: 'EBODY', // issue body over a limit (size, sections, nesting)
  BOUNCES: 'EBOUNCES', // a bounce mailbox cannot be read (bad Maildir, IMAP login or URL)
  DKIM: 'EDKIM', // DKIM key missing or unreadable
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface Location {
  file?: string;
  line?: number;
}

export class RoundupError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly line?: number;
  /** Exit status the CLI should use (1 for user mistakes). */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, loc: Location = {}, exitCode = 1) {
    super(message);
    this.name = 'RoundupError';
    this.code = code;
    this.file = loc.file;
    this.line = loc.line;
    this.exitCode = exitCode;
  }

  /** One line: `issues/2026-11.md:4: front-matter "date" must be YYYY-MM-DD`. */
  format(): string {
    return formatLocation(this) + this.message;
  }
}

export function formatLocation(loc: Location): string {
  if (!loc.file) return '';
  return loc.line ? `${loc.file}:${loc.line}: ` : `${loc.file}: `;
}

export function isRoundupError(e: unknown): e is RoundupError {
  return e instanceof RoundupError;
}

/** What an editor can do about a file-system error (EACCES, ENOTDIR…). */
const FS_CAUSES: Record<string, string> = {
  EACCES: 'permission denied: check the folder permissions or choose another location',
  EPERM: 'permission denied: check the folder permissions or choose another location',
  ENOTDIR: 'part of this path is a file, not a folder: choose another location',
  EISDIR: 'is a folder, not a file',
  ENOENT: 'no such file or folder',
  ENOSPC: 'the disk is full: free some space and run the command again',
  EROFS: 'the file system is read-only: choose another location',
  EEXIST: 'already exists',
  EMFILE: 'too many open files: run the command again',
};

/**
 * A file-system error that escaped a command (a bad --out, a full disk) as a located
 * RoundupError, so the editor sees the path and what to do rather than "internal error".
 */
export function fromFsError(e: unknown): RoundupError | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  if (!err || typeof err !== 'object' || typeof err.code !== 'string' || !(err.code in FS_CAUSES)) return undefined;
  const file = typeof err.path === 'string' ? relativePath(err.path) : undefined;
  const action = err.syscall ? `cannot ${err.syscall === 'open' ? 'open or write' : err.syscall}: ` : '';
  return new RoundupError(ErrorCodes.NOT_FOUND, `${action}${FS_CAUSES[err.code]}`, { file });
}

function relativePath(p: string): string {
  const cwd = process.cwd();
  return p.startsWith(cwd + '/') ? p.slice(cwd.length + 1) : p;
}
