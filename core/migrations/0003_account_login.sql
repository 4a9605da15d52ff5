-- The username an account logs in with (IMAP LOGIN, SMTP AUTH, credential lookup). It differs
-- from the box address for a delegate (a business PEC box's multi-user access), who logs in with
-- their own username onto the owner's box. Existing rows log in with their address, as before.
ALTER TABLE accounts ADD COLUMN login TEXT;
UPDATE accounts SET login = address WHERE login IS NULL;
