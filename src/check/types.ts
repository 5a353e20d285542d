/** What a preflight rule reports, what it is given, and what the caller provides. */
import type { Config } from '../config.js';
import type { Personalised, RenderedIssue } from '../render/types.js';
import type { TemplateSet } from '../render/templates.js';
import type { SourceIndex } from './sources.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** Stable rule id (`link-placeholder`, `image-alt`, …): listed in the README and used by --json consumers. */
  rule: string;
  message: string;
  /** Display path: the Markdown file (issue or partial), a template, or the config. */
  file: string;
  line?: number;
}

export interface CheckOptions {
  config: Config;
  /** Project root: the config and the example list are read from here. */
  root: string;
  /** The templates the issue was rendered with (their text locates findings). Default: loaded from root. */
  templates?: TemplateSet;
  /**
   * Recipient columns a reader can have. Default: email, name, the config's sample recipient
   * keys and the example list's columns. `send` passes its list's columns.
   */
  knownFields?: readonly string[];
  /** Skip the email-client support scan (the slowest rule: ~50 ms per issue). */
  skipClientSupport?: boolean;
}

/** caniemail's entry point (loaded only when the client-support rule runs). */
export type CanIEmail = typeof import('caniemail').caniemail;

/** What a project-level rule (about the config, not an issue) may look at: see `projectContext`. */
export interface ProjectContext {
  config: Config;
  /** Display path of the config. */
  configFile: string;
  /** Line of a key path (['colours', 'link']) in the config file; undefined when it cannot be read. */
  configLine(path: readonly PropertyKey[]): number | undefined;
}

/**
 * Everything a rule may look at, built once per issue by `checkContext` (context.ts). Rules are
 * pure functions of it: no file reading, no rendering of their own.
 */
export interface CheckContext extends ProjectContext {
  issue: RenderedIssue;
  /** The email as the sample reader gets it: inbox row (subject, preheader), HTML and text. */
  sample: Personalised;
  /** A fragment of the model (a link URL) as the sample reader gets it. */
  forSample(s: string): string;
  /** Recipient columns readers have. */
  knownFields: readonly string[];
  /** The text of the issue, its templates and partials, and the config, to put findings on lines. */
  src: SourceIndex;
  /** Display path of the issue's layout. */
  layoutFile: string;
  /** The client-support data, unless the caller skipped that scan. */
  caniemail?: CanIEmail;
}

/** A preflight rule: listed once in RULES (index.ts). */
export type Rule = (ctx: CheckContext) => Finding[];

/** A rule about the project's settings, reported once per run: listed in PROJECT_RULES (index.ts). */
export type ProjectRule = (ctx: ProjectContext) => Finding[];
