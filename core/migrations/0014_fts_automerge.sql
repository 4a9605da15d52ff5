-- FTS5 merges a level's segments into one when it holds `automerge` of them. At the default (4) a
-- full sync rewrote each term's entries about once per level, the largest single part of the
-- store's work; at 8 there are fewer levels to pass through, and a search reads at most seven
-- segments per level instead of three (no change seen in the search bench; docs/performance.md).
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 8);
