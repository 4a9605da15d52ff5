-- The username an account logs in with (IMAP LOGIN, SMTP AUTH, credential lookup). It differs
-- from the box address for a delegate (a business PEC box's multi-user access), who logs in with
-- their own username onto the owner's box. Existing rows log in with their address, as before,
-- except delegated accounts added by the first facade release, which kept the login in a setting.
ALTER TABLE accounts ADD COLUMN login TEXT;
UPDATE accounts SET login = COALESCE(
    (SELECT json_extract(s.value, '$.login') FROM settings s
      WHERE s.key = 'ffi.account:' || lower(accounts.address)
        AND json_valid(s.value)),
    address)
WHERE login IS NULL;
