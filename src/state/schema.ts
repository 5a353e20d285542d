/**
 * The state database's schema, as an append-only list of migrations.
 *
 * `PRAGMA user_version` records how many have run. Never edit a shipped migration: add one,
 * so a state directory from an older roundup upgrades in place without losing a send.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: sends, recipients, suppressions, locks */ `
  CREATE TABLE sends (
    id          INTEGER PRIMARY KEY,
    issue       TEXT NOT NULL,            -- issue slug (file name without .md)
    list        TEXT NOT NULL,            -- list name (file name without .csv)
    subject     TEXT,
    list_gen    INTEGER NOT NULL DEFAULT 0, -- bumped each time the list file is re-read
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (issue, list)
  );

  CREATE TABLE recipients (
    id            INTEGER PRIMARY KEY,
    send_id       INTEGER NOT NULL REFERENCES sends(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL,            -- case-folded address: identity for dedupe/suppression
    name          TEXT NOT NULL DEFAULT '',
    fields        TEXT NOT NULL,            -- JSON object of the list row, for the merge
    line          INTEGER,                  -- row in the list file, for messages
    list_gen      INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed')),
    attempts      INTEGER NOT NULL DEFAULT 0, -- times handed to SMTP
    message_id    TEXT NOT NULL,            -- fixed when the row is created; every attempt reuses it
    last_response TEXT,                     -- last SMTP reply or connection error
    possible_duplicates INTEGER NOT NULL DEFAULT 0, -- times found 'sending' after a crash and re-sent
    queued_at     TEXT NOT NULL,
    sending_at    TEXT,
    sent_at       TEXT,
    failed_at     TEXT,
    updated_at    TEXT NOT NULL,
    UNIQUE (send_id, email_key)
  );
  CREATE INDEX recipients_by_status ON recipients (send_id, status, id);

  CREATE TABLE suppressions (
    email_key  TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    reason     TEXT NOT NULL,               -- 'unsubscribe' | 'hard-bounce' | 'manual' | …
    detail     TEXT,                        -- e.g. the SMTP reply of a bounce, the list unsubscribed from
    created_at TEXT NOT NULL
  );

  CREATE TABLE send_locks (
    send_id      INTEGER PRIMARY KEY REFERENCES sends(id) ON DELETE CASCADE,
    owner        TEXT NOT NULL,             -- random per process: only the owner releases
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL           -- ms since epoch, refreshed while sending
  );
  `,
  /* 2: bounce and complaint events (roundup bounces scan) */ `
  CREATE TABLE bounce_events (
    id           INTEGER PRIMARY KEY,
    message_key  TEXT NOT NULL,             -- the report's Message-ID, else a hash of its bytes
    send_id      INTEGER NOT NULL REFERENCES sends(id) ON DELETE CASCADE,
    recipient_id INTEGER REFERENCES recipients(id) ON DELETE SET NULL,
    email_key    TEXT NOT NULL,
    email        TEXT NOT NULL,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('hard', 'soft', 'complaint', 'auto-reply', 'delivered', 'unsubscribe')),
    reason       TEXT NOT NULL DEFAULT '',  -- userunknown, mailboxfull, blocked, feedback, …
    status       TEXT NOT NULL DEFAULT '',  -- enhanced status code, when given
    diagnostic   TEXT NOT NULL DEFAULT '',
    reputation   INTEGER NOT NULL DEFAULT 0, -- a block/policy/authentication problem of the sender
    matched_by   TEXT NOT NULL,             -- 'verp' | 'message-id' | 'recipient'
    received_at  TEXT NOT NULL,
    UNIQUE (message_key, email_key)         -- the same report processed twice counts once
  );
  CREATE INDEX bounce_events_by_reader ON bounce_events (email_key, send_id);
  CREATE INDEX bounce_events_by_send ON bounce_events (send_id, kind);
  CREATE INDEX recipients_by_message_id ON recipients (message_id);
  CREATE INDEX recipients_by_email ON recipients (email_key, sent_at);
  `,
];
