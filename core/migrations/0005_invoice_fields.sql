-- The invoices table filled by the sync from the FatturaPA file a message carries (written in the
-- same transaction as the message's analysis): what the "received invoices" view shows.
ALTER TABLE invoices ADD COLUMN seller_vat TEXT;
ALTER TABLE invoices ADD COLUMN doc_type TEXT;
ALTER TABLE invoices ADD COLUMN currency TEXT;
ALTER TABLE invoices ADD COLUMN documents INTEGER NOT NULL DEFAULT 1;
ALTER TABLE invoices ADD COLUMN signed INTEGER NOT NULL DEFAULT 0;

-- IMAP section of each attachment (from BODYSTRUCTURE), for on-demand part download.
ALTER TABLE attachments ADD COLUMN section TEXT;
