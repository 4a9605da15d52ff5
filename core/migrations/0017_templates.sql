-- Templates ("modelli"): a PEC sent again and again (a notice, a standard request) kept by name
-- to open a compose from. The draft is the core's `compose::Draft` as JSON, without attachments,
-- sender or thread; names are unique whatever their case.
CREATE TABLE compose_templates (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    draft    TEXT NOT NULL,
    saved_at INTEGER NOT NULL
);
