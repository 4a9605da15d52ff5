-- On-demand download of single MIME parts (large attachments), chunk by chunk, resumable.
-- (0003 is taken by the account login column on another branch.)

-- One row per part being (or already) downloaded. The chunks hold the part's bytes as the server
-- sends them (still transfer-encoded); they are decoded when written out.
CREATE TABLE IF NOT EXISTS part_downloads (
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    section     TEXT NOT NULL,                -- IMAP section, e.g. "1.3.2"
    uid         INTEGER NOT NULL,
    uidvalidity INTEGER,
    encoding    TEXT NOT NULL,                -- Content-Transfer-Encoding, lower case
    size        INTEGER NOT NULL,             -- encoded octets (BODYSTRUCTURE)
    complete    INTEGER NOT NULL DEFAULT 0,
    started_at  INTEGER NOT NULL,
    last_access INTEGER NOT NULL DEFAULT 0,   -- LRU order (a counter) for the part cache cap
    PRIMARY KEY (message_id, section)
);

-- Each chunk is committed in its own transaction: a kill loses at most the chunk in flight.
CREATE TABLE IF NOT EXISTS part_chunks (
    message_id INTEGER NOT NULL,
    section    TEXT NOT NULL,
    offset     INTEGER NOT NULL,
    data       BLOB NOT NULL,
    PRIMARY KEY (message_id, section, offset),
    FOREIGN KEY (message_id, section) REFERENCES part_downloads (message_id, section)
        ON DELETE CASCADE
);
