-- The address book: contacts with several addresses each, groups (recipient lists), and the
-- correspondents seen in mail (suggested even when not saved). What an address has proved (a
-- certified delivery, a failure, an anomaly) is read from receipts and messages, never stored
-- twice: see core/src/store/contacts.rs.
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    organisation TEXT,
    tax_code     TEXT,
    vat          TEXT,
    notes        TEXT,
    uid          TEXT UNIQUE,          -- the vCard UID, kept across export and import
    updated      INTEGER NOT NULL,
    -- the last mail from or to one of its addresses: completion ranks contacts by it
    last_used    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contacts_rank ON contacts (last_used DESC);
CREATE TABLE contact_addresses (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    address    TEXT NOT NULL COLLATE NOCASE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (contact_id, address)
);
CREATE INDEX contact_addresses_address ON contact_addresses (address);
CREATE TABLE contact_groups (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE group_members (
    group_id   INTEGER NOT NULL REFERENCES contact_groups(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, contact_id)
);
-- Senders and recipients seen in mail, counted once per message when it is first stored.
CREATE TABLE correspondents (
    id        INTEGER PRIMARY KEY,
    address   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name      TEXT,
    uses      INTEGER NOT NULL,
    last_used INTEGER NOT NULL
);
CREATE INDEX correspondents_rank ON correspondents (last_used DESC, uses DESC);
-- Words to complete on: each word of a contact's name and organisation, its VAT number, tax code
-- and addresses; a correspondent's address and name words. By word for a prefix's range, by owner
-- to test one candidate while walking people in rank order (core/src/contacts/suggest.rs).
CREATE TABLE contact_words (
    word       TEXT NOT NULL COLLATE NOCASE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (word, contact_id)
) WITHOUT ROWID;
CREATE INDEX contact_words_by_contact ON contact_words (contact_id, word);
CREATE TABLE correspondent_words (
    word             TEXT NOT NULL COLLATE NOCASE,
    correspondent_id INTEGER NOT NULL REFERENCES correspondents(id) ON DELETE CASCADE,
    PRIMARY KEY (word, correspondent_id)
) WITHOUT ROWID;
CREATE INDEX correspondent_words_by_owner ON correspondent_words (correspondent_id, word);
-- The proofs, by address: certified receipts naming the recipient, anomalies by their sender.
CREATE INDEX receipts_recipient ON receipts (recipient, at) WHERE certified = 1;
CREATE INDEX messages_anomaly_sender ON messages (lower(sender_addr)) WHERE kind = 'anomaly';

-- What mail stored before this migration already shows.
INSERT INTO correspondents (address, name, uses, last_used)
    SELECT lower(COALESCE(sender_addr, from_addr)), max(from_name), count(*), max(date)
    FROM messages
    WHERE kind <> 'receipt' AND COALESCE(sender_addr, from_addr) LIKE '%@%'
    GROUP BY 1;
INSERT INTO correspondents (address, name, uses, last_used)
    SELECT lower(r.address), max(r.name), count(*), max(m.date)
    FROM recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.address LIKE '%@%'
    GROUP BY 1
    ON CONFLICT (address) DO UPDATE SET
        uses = uses + excluded.uses,
        last_used = max(last_used, excluded.last_used),
        name = COALESCE(name, excluded.name);
INSERT OR IGNORE INTO correspondent_words (word, correspondent_id) SELECT address, id FROM correspondents;
WITH RECURSIVE split (owner, rest, word) AS (
    SELECT id, trim(name) || ' ', '' FROM correspondents WHERE name IS NOT NULL
    UNION ALL
    SELECT owner, ltrim(substr(rest, instr(rest, ' ') + 1)), substr(rest, 1, instr(rest, ' ') - 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO correspondent_words (word, correspondent_id)
    SELECT lower(trim(word, '"''(),.<>')), owner FROM split WHERE length(trim(word, '"''(),.<>')) > 0;
