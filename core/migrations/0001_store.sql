-- Store schema v1: accounts, folders, messages and everything hanging off them.
-- Times are Unix seconds (UTC). Booleans are 0/1.

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    address       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT,
    imap_host     TEXT NOT NULL,
    imap_port     INTEGER NOT NULL,
    smtp_host     TEXT NOT NULL,
    smtp_port     INTEGER NOT NULL,
    ca_file       TEXT,
    quota_used_kb  INTEGER,
    quota_limit_kb INTEGER,
    created_at    INTEGER NOT NULL
);

CREATE TABLE folders (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    role           TEXT,
    delimiter      TEXT,
    uidvalidity    INTEGER,
    uidnext        INTEGER,
    highestmodseq  INTEGER,
    -- lowest UID already fetched by the newest-first initial sync (NULL: not started, 1: complete)
    backfill_uid   INTEGER,
    myrights       TEXT,
    synced_at      INTEGER,
    UNIQUE (account_id, name)
);

CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    folder_id          INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uid                INTEGER,
    modseq             INTEGER,
    message_id         TEXT,
    kind               TEXT NOT NULL,
    receipt_type       TEXT,
    ref_message_id     TEXT,
    pec_identificativo TEXT,
    pec_msgid          TEXT,
    pec_recipient      TEXT,
    pec_error          TEXT,
    pec_time           INTEGER,
    from_addr          TEXT,
    from_name          TEXT,
    sender_addr        TEXT,
    subject            TEXT,
    original_subject   TEXT,
    date               INTEGER NOT NULL DEFAULT 0,
    internal_date      INTEGER,
    size               INTEGER NOT NULL DEFAULT 0,
    seen               INTEGER NOT NULL DEFAULT 0,
    flagged            INTEGER NOT NULL DEFAULT 0,
    answered           INTEGER NOT NULL DEFAULT 0,
    draft              INTEGER NOT NULL DEFAULT 0,
    signature          TEXT,
    has_attachments    INTEGER NOT NULL DEFAULT 0,
    is_invoice         INTEGER NOT NULL DEFAULT 0,
    preview            TEXT,
    body_state         INTEGER NOT NULL DEFAULT 0,  -- 0 headers only, 1 full message analysed
    delivery           TEXT,                        -- summary for sent messages
    -- rowid of the message in messages_fts: (date << 24) | (id & 0xFFFFFF), so that FTS5 returns
    -- matches newest first (ORDER BY rowid DESC) and the first page stops early.
    fts_key            INTEGER UNIQUE,
    UNIQUE (folder_id, uid)
);
CREATE INDEX messages_folder_date ON messages (folder_id, date DESC);
CREATE INDEX messages_account_date ON messages (account_id, date DESC);
CREATE INDEX messages_msgid ON messages (account_id, message_id);
CREATE INDEX messages_ident ON messages (account_id, pec_identificativo);
CREATE INDEX messages_kind ON messages (account_id, kind, date DESC);
CREATE INDEX messages_invoice ON messages (account_id, is_invoice) WHERE is_invoice = 1;
CREATE INDEX messages_nobody ON messages (folder_id, body_state) WHERE body_state = 0;

CREATE TABLE recipients (
    message_id   INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    address      TEXT NOT NULL COLLATE NOCASE,
    name         TEXT,
    field        TEXT NOT NULL,               -- to | cc | bcc
    pec_type     TEXT,                        -- certificato | esterno (from daticert)
    state        TEXT NOT NULL DEFAULT 'sent',-- sent | accepted | delivered | failed | warning
    accepted_at  INTEGER,
    delivered_at INTEGER,
    failed_at    INTEGER,
    warning_at   INTEGER,
    detail       TEXT,
    PRIMARY KEY (message_id, address, field)
);
CREATE INDEX recipients_address ON recipients (address);

-- One row per receipt message. sent_id stays NULL until its sent message is known.
CREATE TABLE receipts (
    receipt_id     INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    sent_id        INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    receipt_type   TEXT NOT NULL,
    ref_message_id TEXT,
    identificativo TEXT,
    recipient      TEXT COLLATE NOCASE,
    error          TEXT,
    at             INTEGER
);
CREATE INDEX receipts_sent ON receipts (sent_id);
CREATE INDEX receipts_pending_ref ON receipts (account_id, ref_message_id) WHERE sent_id IS NULL;
CREATE INDEX receipts_pending_ident ON receipts (account_id, identificativo) WHERE sent_id IS NULL;

CREATE TABLE attachments (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    filename   TEXT,
    mime       TEXT,
    size       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, idx)
);

CREATE TABLE invoices (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    filename   TEXT NOT NULL,
    number     TEXT,
    date       TEXT,
    seller     TEXT,
    total      TEXT,
    PRIMARY KEY (message_id, filename)
);

CREATE TABLE labels (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    PRIMARY KEY (message_id, label)
);

-- Raw RFC 5322 bytes, evictable (LRU on last_access) under a size cap.
CREATE TABLE bodies (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    raw         BLOB NOT NULL,
    size        INTEGER NOT NULL,
    last_access INTEGER NOT NULL
);
CREATE INDEX bodies_lru ON bodies (last_access);

-- Local actions waiting to be replayed on the server, in id order.
CREATE TABLE actions (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    folder     TEXT NOT NULL,
    uid        INTEGER,
    uidvalidity INTEGER,
    kind       TEXT NOT NULL,
    arg        TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    subject, sender, recipients, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Running total of cached body bytes (kept by triggers, so it survives any crash consistently).
CREATE TABLE body_total (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL);
INSERT INTO body_total (id, bytes) VALUES (1, 0);
CREATE TRIGGER bodies_ai AFTER INSERT ON bodies BEGIN
    UPDATE body_total SET bytes = bytes + new.size WHERE id = 1;
END;
CREATE TRIGGER bodies_ad AFTER DELETE ON bodies BEGIN
    UPDATE body_total SET bytes = bytes - old.size WHERE id = 1;
END;
