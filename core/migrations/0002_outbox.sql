-- Outbox: PEC messages the user sent, from queueing until the provider accepted them.
-- States: queued -> sending -> submitted; rejected (permanent refusal, shown to the user).
-- A row in 'sending' after a crash is an attempt whose outcome is unknown: before any new attempt
-- the server is checked for the accettazione / Sent copy carrying its Message-ID.
CREATE TABLE outbox (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- the local copy in the account's local "Outbox" folder: receipts attach to it by Message-ID
    message_row        INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    message_id         TEXT NOT NULL UNIQUE,          -- generated once, at queue time
    state              TEXT NOT NULL DEFAULT 'queued',
    file               TEXT NOT NULL,                 -- the RFC 5322 bytes, written before this row
    size               INTEGER NOT NULL,
    mail_from          TEXT NOT NULL,
    rcpts              TEXT NOT NULL,                 -- JSON array of envelope recipients
    subject            TEXT,
    receipt_type       TEXT NOT NULL DEFAULT 'completa',
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    INTEGER NOT NULL,
    attempt_started_at INTEGER,
    error_kind         TEXT,                          -- network | temporary | sender | size | auth | recipient | other
    error              TEXT,
    sent_copy          INTEGER NOT NULL DEFAULT 0,    -- 1: Sent copy stored on the server (by us or the provider)
    created_at         INTEGER NOT NULL,
    submitted_at       INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- The outbox's own timeline (receipts have theirs in `receipts`).
CREATE TABLE outbox_events (
    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,   -- queued | sending | submitted | retry | unknown | recovered | rejected | sent-copy
    at        INTEGER NOT NULL,
    detail    TEXT
);
CREATE INDEX outbox_events_id ON outbox_events (outbox_id, at);
