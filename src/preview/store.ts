/**
 * The preview's in-memory state: config, templates, each issue's render and check results.
 *
 * Every change goes through one queue, so a burst of saves never renders the same issue twice
 * at once or publishes results out of order. A broken input is kept as an error entry (with
 * file and line) instead of throwing: the server must outlive every typo.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runChecks, knownRecipientFields, countBy, type Finding } from '../check/index.js';
import { listIssueFiles } from '../project.js';
import { loadConfig, type Config } from '../config.js';
import { isRoundupError } from '../errors.js';
import { readList } from '../lists/index.js';
import { slugOf } from '../naming.js';
import { personalise, renderIssueFile, type Personalised, type RenderedIssue } from '../render/index.js';
import { loadTemplates, type TemplateSet } from '../render/templates.js';
import { sampleValues } from '../sample.js';

export interface Problem {
  file?: string;
  line?: number;
  message: string;
}

export type IssueEntry = {
  slug: string;
  /** Display path of the Markdown file. */
  file: string;
  /** Bumped on every re-render: the page uses it to bust iframe caches. */
  version: number;
} & ({ ok: true; issue: RenderedIssue; findings: Finding[]; htmlBytes: number } | { ok: false; problem: Problem });

export interface SampleRecipient {
  label: string;
  fields: Record<string, string>;
}

export type Listener = (slugs: string[] | '*') => void;

const toProblem = (e: unknown): Problem => {
  if (isRoundupError(e)) return { file: e.file, line: e.line, message: e.message };
  return { message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
};

export class PreviewStore {
  config?: Config;
  templates?: TemplateSet;
  /** Config or template problem: every issue shows it until fixed. */
  globalProblem?: Problem;
  recipients: SampleRecipient[] = [];
  readonly issues = new Map<string, IssueEntry>();
  private knownFields: string[] = [];
  private version = 0;
  private queue: Promise<void> = Promise.resolve();
  private listeners = new Set<Listener>();

  constructor(
    readonly root: string,
    /** The environment's state directory (ROUNDUP_STATE_DIR): where the image cache lives. */
    readonly stateDir?: string,
  ) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(slugs: string[] | '*'): void {
    for (const fn of this.listeners) fn(slugs);
  }

  /** Run `job` after every earlier change has been applied. */
  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(job).catch((e) => {
      // A bug in a job must not wedge the queue; surface it on every page instead.
      this.globalProblem = toProblem(e);
      this.emit('*');
    });
    return this.queue;
  }

  /** Config, templates, list and every issue: at start and when a shared input changes. */
  reloadAll(): Promise<void> {
    return this.enqueue(async () => {
      this.loadShared();
      const files = listIssueFiles(this.root);
      const slugs = new Set(files.map(slugOf));
      for (const slug of [...this.issues.keys()]) if (!slugs.has(slug)) this.issues.delete(slug);
      for (const file of files) await this.render(file);
      this.emit('*');
    });
  }

  /** One issue file was added, changed or removed: re-render only that issue. */
  reloadIssue(absFile: string): Promise<void> {
    return this.enqueue(async () => {
      const slug = slugOf(absFile);
      if (!existsSync(absFile)) {
        this.issues.delete(slug);
      } else {
        await this.render(path.relative(this.root, absFile));
      }
      this.emit([slug]);
    });
  }

  /** A Markdown partial changed: templates are re-read, only issues that include it re-render. */
  reloadPartial(name: string): Promise<void> {
    return this.enqueue(async () => {
      this.loadShared();
      const affected: string[] = [];
      for (const file of listIssueFiles(this.root)) {
        const slug = slugOf(file);
        const entry = this.issues.get(slug);
        // A broken issue may have failed before reaching the include: retry it too.
        let uses = !entry?.ok;
        try {
          uses ||= this.partialsReachable(readFileSync(path.join(this.root, file), 'utf8')).has(name);
        } catch {
          uses = true;
        }
        if (uses) {
          await this.render(file);
          affected.push(slug);
        }
      }
      this.emit(affected);
    });
  }

  /** Every image file the issues use (or look for, when it is missing): the watcher follows them. */
  imagePaths(): Set<string> {
    const paths = new Set<string>();
    for (const e of this.issues.values()) if (e.ok) for (const i of e.issue.images) if (i.path) paths.add(i.path);
    return paths;
  }

  /** An image file was saved, replaced or removed: re-render the issues that use it (and broken ones). */
  reloadImage(absFile: string): Promise<void> {
    return this.enqueue(async () => {
      const affected: string[] = [];
      for (const file of listIssueFiles(this.root)) {
        const slug = slugOf(file);
        const entry = this.issues.get(slug);
        if (entry?.ok && !entry.issue.images.some((i) => i.path === absFile)) continue;
        await this.render(file);
        affected.push(slug);
      }
      this.emit(affected);
    });
  }

  /** Partials a text includes, directly or through other partials (they nest). */
  private partialsReachable(text: string): Set<string> {
    const seen = new Set<string>();
    const visit = (t: string) => {
      // The renderer forgives spaces: `{{> name}}`, `{{ > name }}`, `{{>name}}`.
      for (const m of t.matchAll(/\{\{\s*>\s*([^\s{}]+)\s*\}\}/g)) {
        if (seen.has(m[1])) continue;
        seen.add(m[1]);
        const inner = this.templates?.partials.get(m[1]);
        if (inner) visit(inner.text);
      }
    };
    visit(text);
    return seen;
  }

  private loadShared(): void {
    try {
      this.config = loadConfig(this.root);
      this.templates = loadTemplates(this.root);
      this.knownFields = knownRecipientFields(this.config, this.root);
      this.recipients = this.loadRecipients(this.config);
      this.globalProblem = undefined;
    } catch (e) {
      this.globalProblem = toProblem(e);
    }
  }

  private loadRecipients(config: Config): SampleRecipient[] {
    const sample = { label: `${config.sampleRecipient.name ?? 'Sample'} (config sample)`, fields: config.sampleRecipient };
    try {
      const list = readList(path.resolve(this.root, config.exampleList), this.root);
      return [sample, ...list.recipients.map((r) => ({ label: `${r.name || '(no name)'} <${r.email}>`, fields: r.fields }))];
    } catch {
      return [sample];
    }
  }

  private async render(file: string): Promise<void> {
    const slug = slugOf(file);
    const display = path.relative(process.cwd(), path.resolve(this.root, file)) || file;
    const version = ++this.version;
    if (this.globalProblem || !this.config || !this.templates) {
      this.issues.set(slug, { slug, file: display, version, ok: false, problem: this.globalProblem ?? { message: 'not loaded' } });
      return;
    }
    try {
      const issue = await renderIssueFile(file, {
        root: this.root,
        config: this.config,
        templates: this.templates,
        stateDir: this.stateDir,
      });
      const findings = await runChecks(issue, {
        config: this.config,
        root: this.root,
        templates: this.templates,
        knownFields: this.knownFields,
      });
      const htmlBytes = Buffer.byteLength(personalise(issue, sampleValues(this.config)).html);
      this.issues.set(slug, { slug, file: display, version, ok: true, issue, findings, htmlBytes });
    } catch (e) {
      this.issues.set(slug, { slug, file: display, version, ok: false, problem: toProblem(e) });
    }
  }

  /** The email for one sample reader (index into `recipients`; 0 = the config's sample). */
  personalised(entry: IssueEntry & { ok: true }, recipient: number): Personalised {
    const config = this.config!;
    const r = this.recipients[recipient] ?? this.recipients[0];
    return personalise(entry.issue, sampleValues(config, r?.fields ?? config.sampleRecipient));
  }

  summary(entry: IssueEntry): { errors: number; warnings: number } | undefined {
    return entry.ok ? countBy(entry.findings) : undefined;
  }
}
