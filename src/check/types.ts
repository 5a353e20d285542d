/** What a preflight rule reports, and what the rules may read besides the rendered issue. */
import type { Config } from '../config.js';

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
  /** Project root: templates, partials and the config are read from here to locate findings. */
  root: string;
  /**
   * Recipient columns a reader can have. Default: email, name, the config's sample recipient
   * keys and the example list's columns. `send` passes its list's columns.
   */
  knownFields?: readonly string[];
  /** Skip the email-client support scan (the slowest rule: ~50 ms per issue). */
  skipClientSupport?: boolean;
}
