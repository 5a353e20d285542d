/**
 * Sender and brand settings: one schema gives types, defaults and error messages.
 *
 * Read from `roundup.config.yaml` at the project root. Every key has a default except the
 * ones that identify the sender, so a typo is reported with its line and the fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCodes, RoundupError } from './errors.js';
import { parseYaml, validate } from './yaml-source.js';

export const CONFIG_FILE = 'roundup.config.yaml';

/** A well-formed BCP 47 tag that this Node's Intl has date formats for ("root" and "xx" are not). */
export function supportedLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1 && Intl.DateTimeFormat.supportedLocalesOf([tag]).length === 1;
  } catch {
    return false;
  }
}

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, { error: 'must be a 6-digit hex colour such as "#1f3a5f"' });
const email = z.email({ error: 'must be an email address such as "news@firm.example"' });
const url = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

export const ConfigSchema = z
  .object({
    organisation: z.string({ error: 'must be the organisation name, e.g. "Hartwell & Finch LLP"' }).min(1),
    /** Newsletter name for `roundup new` when no issue of the chosen template exists yet. */
    title: z.string({ error: 'must be the newsletter name, e.g. "Integrated care roundup"' }).min(1).optional(),
    address: z.string({ error: 'must be the postal address shown in every footer (required by anti-spam law)' }).min(1),
    from: z.object({ name: z.string().min(1), email }).strict(),
    replyTo: email.optional(),
    siteUrl: url,
    locale: z
      .string({ error: 'must be a language tag such as "en-GB"' })
      .refine(supportedLocale, {
        error: (iss) => `must be a language tag that dates can be formatted in, such as "en-GB" or "de-DE" (got "${String(iss.input)}")`,
      })
      .default('en-GB'),
    logo: z
      .object({ url, alt: z.string().min(1), width: z.number().int().positive().default(160) })
      .strict()
      .optional(),
    colours: z
      .object({
        brand: hexColour.default('#1f3a5f'),
        accent: hexColour.default('#a8761d'),
        text: hexColour.default('#1f2933'),
        muted: hexColour.default('#5b6673'),
        background: hexColour.default('#f2efe9'),
        surface: hexColour.default('#ffffff'),
        /** Background of standing sections (the monthly resource-centre promo). */
        tint: hexColour.default('#f6f2ea'),
        link: hexColour.default('#1d5c96'),
        /** Dividers between sections and under the header. */
        rule: hexColour.default('#e2ddd3'),
      })
      .strict()
      .prefault({}),
    /**
     * Dark-mode counterparts (prefers-color-scheme: dark, which Apple Mail, iOS and Outlook for
     * Mac apply): every colour the light design uses has one, so nothing stays light on a dark page.
     */
    dark: z
      .object({
        brand: hexColour.default('#f3f4f6'),
        accent: hexColour.default('#d9a84e'),
        text: hexColour.default('#e6e8eb'),
        muted: hexColour.default('#aab2bd'),
        background: hexColour.default('#15171a'),
        surface: hexColour.default('#1f2227'),
        tint: hexColour.default('#262a30'),
        link: hexColour.default('#9cc9f3'),
        rule: hexColour.default('#3a3f46'),
        /** Call-to-action button background (its text stays white). */
        button: hexColour.default('#3a6ea5'),
      })
      .strict()
      .prefault({}),
    /** Calls to action: "button" (full buttons) or "arrow" (a bold text link with an arrow, lighter when there are many). */
    cta: z.enum(['button', 'arrow'], { error: 'must be "button" or "arrow"' }).default('button'),
    font: z.string().default("Georgia, 'Times New Roman', serif"),
    signoff: z
      .string()
      .default('We hope you found something of interest in this edition. If you would like to talk about any of it, reply to this email.'),
    /** A stand-in reader for `build` and `preview`: fills {{recipient.*}} fields. */
    sampleRecipient: z.record(z.string(), z.string()).default({ email: 'reader@example.net', name: 'Sam Reader' }),
    /** Where preview takes its list of sample recipients from. */
    exampleList: z.string().default('lists/example.csv'),
    /**
     * Per list (the CSV name, `members` for lists/members.csv): what readers' mail filters see
     * in List-Id. Without an entry, a neutral `"<title or organisation>" <newsletter.<from domain>>`,
     * never the file name (which may say more than readers should see).
     */
    lists: z
      .record(
        z.string(),
        z
          .object({
            /** Display name, e.g. "Integrated care roundup". */
            name: z.string().min(1).max(200).optional(),
            /** A label ("integrated-care") or a whole id ("care.news.firm.example"). */
            id: z
              .string()
              .max(200)
              .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/, {
                error: 'must be letters, digits and hyphens, optionally dot-separated, e.g. "integrated-care"',
              })
              .optional(),
          })
          .strict(),
      )
      .default({}),
    validation: z.enum(['strict', 'soft', 'skip']).default('strict'),
    check: z
      .object({
        /**
         * Preflight warnings the sender has reviewed and accepts: a rule id
         * ("link-http") or rule and feature ("client-support:@media"). Errors cannot be ignored.
         */
        ignore: z
          .array(z.string().regex(/^[a-z-]+(:.+)?$/, { error: 'must be a rule id such as "link-http" or "client-support:@media"' }))
          .default([]),
      })
      .strict()
      .prefault({}),
    stateDir: z.string().default('.roundup'),
    assets: z
      .object({
        /**
         * Where local images are published, for a CDN or bucket (the archive's `<slug>/images/`
         * folders uploaded there); defaults to siteUrl, where `roundup archive` puts them.
         */
        baseUrl: url.optional(),
      })
      .strict()
      .prefault({}),
    /**
     * PostgreSQL URL for the send state (postgres://user:pass@host:5432/db?sslmode=require),
     * shared by every machine that sends, serves or handles bounces. Env ROUNDUP_DATABASE_URL
     * overrides it; prefer the env var: this file is committed and the URL holds a password.
     */
    database: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
    unsubscribe: z
      .object({
        /** mailto: target for List-Unsubscribe; defaults to the from address. */
        mailto: email.optional(),
        /** Base URL of `roundup serve`'s /u/ endpoint; defaults to siteUrl. */
        baseUrl: url.optional(),
        /** HMAC secret for unsubscribe tokens. Prefer env ROUNDUP_SECRET: this file is committed. */
        secret: z.string().min(16).optional(),
      })
      .strict()
      .prefault({}),
    bounces: z
      .object({
        /**
         * Return path for bounces and complaints, e.g. bounces@news.example.org. Each message's
         * envelope sender becomes bounces+<signed ref>@…, and List-Unsubscribe's mailto: a signed
         * bounces+u-<ref>@… address; `roundup bounces scan` reads what arrives there.
         */
        address: email.optional(),
        /** What a hard bounce (address gone) does: suppress the reader at once, or only record it. */
        hard: z.enum(['suppress', 'record'], { error: 'must be "suppress" or "record"' }).default('suppress'),
        /** What a complaint (feedback report) does. */
        complaint: z.enum(['suppress', 'record'], { error: 'must be "suppress" or "record"' }).default('suppress'),
        /** Suppress after soft bounces in this many different sends with no delivery in between (0: never). */
        softLimit: z.number().int().min(0).default(3),
        /** IMAP folder processed messages are moved to (never deleted). */
        imapFolder: z.string().min(1).default('roundup-processed'),
      })
      .strict()
      .prefault({}),
    dkim: z
      .object({
        /** The signing domain (d=): the From domain or a parent of it, for DMARC alignment. */
        domain: z
          .string()
          .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i, { error: 'must be a domain such as "news.example.org"' }),
        /** The selector (s=): the key is published at <selector>._domainkey.<domain>. */
        selector: z.string().regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i, { error: 'must be a DNS label such as "roundup2026"' }),
        /** Path to the PEM private key (relative to the project); or set ROUNDUP_DKIM_PRIVATE_KEY. */
        privateKey: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    send: z
      .object({
        rate: z.number().min(0).default(10),
        concurrency: z.number().int().min(1).max(50).default(4),
        perHour: z.number().int().positive().optional(),
        perDay: z.number().int().positive().optional(),
        maxAttempts: z.number().int().min(1).default(5),
        pauseAfterFailures: z.number().int().min(1).default(20),
        /** First retry delay in ms after a transient failure; doubles per attempt (capped at 5 min). */
        retryDelay: z.number().int().min(0).default(2000),
        /** SMTP socket inactivity timeout in ms: a server silent this long is a transient failure. */
        timeout: z.number().int().min(100).default(60_000),
        /** Open a fresh connection after this many messages (many providers cap a session). */
        messagesPerConnection: z.number().int().min(1).default(100),
        /** A sender silent this long (ms) is dead: its readers go back to the queue. Heartbeats every third of it. */
        lease: z.number().int().min(1000).default(30_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.output<typeof ConfigSchema>;

/** Pure: YAML text → validated config. */
export function parseConfig(text: string, file = CONFIG_FILE): Config {
  const src = parseYaml(text, file, ErrorCodes.CONFIG);
  return validate(ConfigSchema, src, file, ErrorCodes.CONFIG, 'config');
}

/** Read `roundup.config.yaml` from `root`. */
export function loadConfig(root = process.cwd()): Config {
  const file = path.join(root, CONFIG_FILE);
  if (!existsSync(file)) {
    throw new RoundupError(ErrorCodes.CONFIG, `no ${CONFIG_FILE} here: run roundup from the project folder`, {
      file: path.relative(process.cwd(), file) || CONFIG_FILE,
    });
  }
  return parseConfig(readFileSync(file, 'utf8'), path.relative(process.cwd(), file) || CONFIG_FILE);
}
