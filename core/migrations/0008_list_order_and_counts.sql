-- Lists and badges that do not scale with the mailbox.
--
-- 1. Every list is ordered by (date DESC, id DESC). The indexes below end in exactly that order, so
--    the first page of a folder, an account, the receipts or the invoices is a walk of the index
--    that stops after LIMIT rows, with no sort of the whole folder. They replace the indexes that
--    ended in `date DESC` alone (which left ties on id to a temporary B-tree).
DROP INDEX messages_folder_date;
CREATE INDEX messages_folder_order ON messages (folder_id, date DESC, id DESC);
DROP INDEX messages_account_date;
CREATE INDEX messages_account_order ON messages (account_id, date DESC, id DESC);
DROP INDEX messages_kind;
CREATE INDEX messages_kind_order ON messages (account_id, kind, date DESC, id DESC);
DROP INDEX messages_invoice;
CREATE INDEX messages_invoice_order ON messages (account_id, date DESC, id DESC) WHERE is_invoice = 1;

-- 2. Message and unread counts per folder, split by receipt/not and invoice/not so that every view
--    (a folder, a role, the receipts, the invoices, "hide receipts") is a sum over a few rows.
--    Kept by the triggers below, inside the transaction that changes the messages, so they cannot
--    drift from the rows (the same design as body_total).
CREATE TABLE folder_counts (
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    receipt   INTEGER NOT NULL,  -- 1: kind = 'receipt'
    invoice   INTEGER NOT NULL,  -- 1: is_invoice
    total     INTEGER NOT NULL,
    unread    INTEGER NOT NULL,  -- seen = 0
    PRIMARY KEY (folder_id, receipt, invoice)
) WITHOUT ROWID;

INSERT INTO folder_counts (folder_id, receipt, invoice, total, unread)
    SELECT folder_id, kind = 'receipt', is_invoice != 0, COUNT(*), SUM(seen = 0)
    FROM messages GROUP BY 1, 2, 3;

CREATE TRIGGER messages_counts_ai AFTER INSERT ON messages BEGIN
    INSERT INTO folder_counts (folder_id, receipt, invoice, total, unread)
        VALUES (new.folder_id, new.kind = 'receipt', new.is_invoice != 0, 1, new.seen = 0)
        ON CONFLICT (folder_id, receipt, invoice)
        DO UPDATE SET total = total + 1, unread = unread + excluded.unread;
END;

CREATE TRIGGER messages_counts_ad AFTER DELETE ON messages BEGIN
    UPDATE folder_counts SET total = total - 1, unread = unread - (old.seen = 0)
        WHERE folder_id = old.folder_id AND receipt = (old.kind = 'receipt')
          AND invoice = (old.is_invoice != 0);
END;

-- Only when the message changes bucket or read state (the flag sync rewrites `seen` unchanged).
CREATE TRIGGER messages_counts_au AFTER UPDATE OF folder_id, kind, is_invoice, seen ON messages
WHEN old.folder_id IS NOT new.folder_id
  OR (old.kind = 'receipt') IS NOT (new.kind = 'receipt')
  OR (old.is_invoice != 0) IS NOT (new.is_invoice != 0)
  OR (old.seen = 0) IS NOT (new.seen = 0)
BEGIN
    UPDATE folder_counts SET total = total - 1, unread = unread - (old.seen = 0)
        WHERE folder_id = old.folder_id AND receipt = (old.kind = 'receipt')
          AND invoice = (old.is_invoice != 0);
    INSERT INTO folder_counts (folder_id, receipt, invoice, total, unread)
        VALUES (new.folder_id, new.kind = 'receipt', new.is_invoice != 0, 1, new.seen = 0)
        ON CONFLICT (folder_id, receipt, invoice)
        DO UPDATE SET total = total + 1, unread = unread + excluded.unread;
END;
