-- Cached bodies move out of the database into files beside it (`<store>-bodies/`, see
-- core/src/store/body_files.rs): a row keeps the file's name, its size and LRU stamp, and `raw`
-- stays empty. Rows written before this migration keep their bytes in `raw` (file NULL).
ALTER TABLE bodies ADD COLUMN file TEXT;
-- 1 when the file is sealed with the store's files key (an encrypted store); 0 when it was
-- written while the store was plain, and is sealed in place once the store is encrypted.
ALTER TABLE bodies ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX bodies_plain_files ON bodies (message_id) WHERE file IS NOT NULL AND sealed = 0;

-- Files of deleted rows, removed from the disk right after the deleting transaction commits
-- (whatever deleted the row: eviction, an expunge, an account removed, a cascade).
CREATE TABLE body_trash (file TEXT NOT NULL);
CREATE TRIGGER bodies_file_ad AFTER DELETE ON bodies WHEN old.file IS NOT NULL BEGIN
    INSERT INTO body_trash (file) VALUES (old.file);
END;
