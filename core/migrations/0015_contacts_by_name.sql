-- The address book screen reads people a page at a time, saved contacts by name first: an index
-- in that order makes each page a walk of LIMIT rows instead of a sort of every contact.
CREATE INDEX contacts_by_name ON contacts (name COLLATE NOCASE, id);
