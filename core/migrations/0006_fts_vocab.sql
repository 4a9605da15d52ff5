-- The full-text index's vocabulary, read to expand a typed prefix into the indexed terms it covers
-- (an OR of exact terms is read lazily, newest first; a long prefix term is materialised whole).
CREATE VIRTUAL TABLE IF NOT EXISTS messages_vocab USING fts5vocab(messages_fts, 'row');
