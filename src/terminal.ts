/**
 * What a command may do with the terminal: write lines, colour them, ask yes/no, notice
 * Ctrl-C. `cli.ts` makes the one real terminal (processTerminal); tests make their own that
 * capture the lines. Library code takes the narrow parts it needs (a log function, a stream),
 * never this whole object, and never prints by itself.
 */
import type { Vars } from './env.js';
import { mask } from './mask.js';
import { visibleLines } from './visible.js';

export interface Terminal {
  /** A line (or several, joined by \n) on stdout; the final newline is added. */
  out(line: string): void;
  /** A line on stderr: progress notes, warnings, per-file errors. */
  err(line: string): void;
  /** Colour escape codes are welcome on stdout / on stderr. */
  colour: boolean;
  errColour: boolean;
  /** stdin is a terminal: questions can be asked. */
  interactive: boolean;
  /** stderr as a stream, for live progress bars (they draw only when it is a TTY). */
  progressStream: NodeJS.WriteStream;
  /** y/N; an interrupted prompt (Ctrl-C) answers no. */
  confirm(question: string, signal?: AbortSignal): Promise<boolean>;
  /** Call `handler` on each Ctrl-C or SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Leave at once (a second Ctrl-C during a send). */
  exit(code: number): never;
}

/**
 * Colour only on a terminal: picocolors also colours when CI is set or on Windows, which puts
 * escape codes into piped output and CI logs. FORCE_COLOR asks for it anyway; NO_COLOR wins.
 */
export function useColour(stream: { isTTY?: boolean }, vars: Vars): boolean {
  if (vars.NO_COLOR) return false;
  if (vars.FORCE_COLOR && vars.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && vars.TERM !== 'dumb';
}

/** The terminal of this process. */
export function processTerminal(vars: Vars): Terminal {
  return {
    // The last guard for every line a command prints: registered credentials masked, control
    // characters from files shown as escapes (roundup's own colours pass).
    out: (line) => process.stdout.write(`${mask(visibleLines(line))}\n`),
    err: (line) => process.stderr.write(`${mask(visibleLines(line))}\n`),
    colour: useColour(process.stdout, vars),
    errColour: useColour(process.stderr, vars),
    interactive: Boolean(process.stdin.isTTY),
    progressStream: process.stderr,
    async confirm(question, signal) {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(question, signal ? { signal } : {})).trim());
      } catch {
        return false;
      } finally {
        rl.close();
      }
    },
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    exit: (code) => process.exit(code),
  };
}
