-- Account passwords of the terminal client, kept inside the encrypted store (never in a plain
-- one: accounts::StoreCredentialStore refuses that).
CREATE TABLE secrets (
    login  TEXT PRIMARY KEY,
    secret TEXT NOT NULL
) STRICT;
