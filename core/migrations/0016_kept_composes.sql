-- The message being written, kept as the user types so that an app the system closed (Android
-- and iOS end a process in the background without asking) opens it again as it was. One row per
-- compose screen; the draft is the core's `compose::Draft` as JSON, its attachments files in the
-- staged folder (kept at open while a row names them). Queueing the PEC deletes the row in the
-- same transaction, so a restart never offers to send it twice.
CREATE TABLE kept_composes (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    draft      TEXT NOT NULL,
    saved_at   INTEGER NOT NULL
);
