/**
 * Test helpers: a throw-away copy of a roundup project and a way to run the real CLI
 * (compiled lib/, as users run it) inside it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO, 'test/fixtures');
export const BIN = path.join(REPO, 'bin/roundup.js');

/** Copy config + templates (+ optional issues) into a temp dir. */
export function makeProject(opts: { issues?: Record<string, string>; withSampleIssues?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'roundup-test-'));
  cpSync(path.join(REPO, 'roundup.config.yaml'), path.join(dir, 'roundup.config.yaml'));
  cpSync(path.join(REPO, 'templates'), path.join(dir, 'templates'), { recursive: true });
  mkdirSync(path.join(dir, 'issues'));
  if (existsSync(path.join(REPO, 'lists/example.csv'))) {
    mkdirSync(path.join(dir, 'lists'));
    cpSync(path.join(REPO, 'lists/example.csv'), path.join(dir, 'lists/example.csv'));
  }
  if (opts.withSampleIssues) cpSync(path.join(REPO, 'issues'), path.join(dir, 'issues'), { recursive: true });
  for (const [name, text] of Object.entries(opts.issues ?? {})) writeFileSync(path.join(dir, 'issues', name), text);
  return dir;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, DEBUG: '', NO_COLOR: '1', ROUNDUP_STATE_DIR: path.join(cwd, '.roundup'), ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const fixture = (rel: string) => path.join(FIXTURES, rel);

/** A CLI process the test can watch, signal or kill while it runs (crash and lease tests). */
export interface SpawnedCli {
  child: ChildProcess;
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

export function spawnCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnedCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, DEBUG: '', NO_COLOR: '1', ROUNDUP_STATE_DIR: path.join(cwd, '.roundup'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/**
 * runCli without blocking this process: for a CLI that talks to a server the test runs itself
 * (an HTTP site, an SMTP sink) and that must keep answering meanwhile.
 */
export async function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const run = spawnCli(args, cwd, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  try {
    const { code, stdout, stderr } = await run.done;
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
