-- Address books kept on a CardDAV server (RFC 6352). A contact with a book_id is a card of that
-- book: href is where it lives, etag the server version we hold, card the server's vCard as it
-- came (so the fields we do not model, phones and photos, survive our edits). Local edits wait in
-- dav_pending until the server took them; see core/src/carddav/sync.rs.
CREATE TABLE address_books (
    id         INTEGER PRIMARY KEY,
    url        TEXT NOT NULL UNIQUE,   -- the collection, ending in '/'
    name       TEXT NOT NULL,
    username   TEXT NOT NULL,
    ca_file    TEXT,                   -- a private CA (tests, self-hosted servers)
    sync_token TEXT,                   -- RFC 6578: where the last sync-collection ended
    ctag       TEXT,                   -- getctag: the fallback's "did anything change?"
    last_sync  INTEGER
);
ALTER TABLE contacts ADD COLUMN book_id INTEGER REFERENCES address_books(id) ON DELETE CASCADE;
ALTER TABLE contacts ADD COLUMN href TEXT;
ALTER TABLE contacts ADD COLUMN etag TEXT;
ALTER TABLE contacts ADD COLUMN card TEXT;
CREATE UNIQUE INDEX contacts_href ON contacts (book_id, href) WHERE href IS NOT NULL;
-- One pending change per card: 'put' uploads the contact as it is then (a new card when the
-- contact has no etag yet), 'delete' removes the card at href if the server still has the
-- version etag. seq grows with every edit, so an upload only clears the edit it carried.
CREATE TABLE dav_pending (
    book_id INTEGER NOT NULL REFERENCES address_books(id) ON DELETE CASCADE,
    href    TEXT NOT NULL,
    action  TEXT NOT NULL CHECK (action IN ('put', 'delete')),
    etag    TEXT,
    seq     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (book_id, href)
);
