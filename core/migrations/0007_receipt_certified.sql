-- Whether a receipt is certified: its kind and facts come from a daticert.xml inside content whose
-- provider signature is valid. Only certified receipts move a recipient's delivery state (ticks);
-- header-only and unsigned receipts are kept and listed, never counted.
ALTER TABLE receipts ADD COLUMN certified INTEGER NOT NULL DEFAULT 0;
-- Receipts stored before: certified when their message's signature was found valid.
UPDATE receipts SET certified = 1
    WHERE receipt_id IN (SELECT id FROM messages WHERE signature = 'valid');
