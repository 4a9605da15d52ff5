-- The virtual folder of sent PEC not delivered (a delivery failed, or the provider warned it may):
-- few rows, so its list and its count read this partial index and nothing else.
CREATE INDEX messages_undelivered_order ON messages (account_id, date DESC, id DESC)
    WHERE delivery IN ('failed', 'warning');
