//! Caps that keep hostile input from exhausting memory or stack.
//!
//! Every parser in the crate checks these before doing work proportional to its input.

/// Largest raw message we parse (bytes). Providers cap PEC at 100 MB; we leave headroom.
pub const MAX_MESSAGE_BYTES: usize = 150 * 1024 * 1024;
/// Deepest nesting of MIME parts / embedded messages (PEC in PEC in PEC ...) we follow.
pub const MAX_NESTING_DEPTH: usize = 16;
/// Most MIME parts we look at in one message, all levels together.
pub const MAX_PARTS: usize = 2_000;
/// Largest XML document (daticert, REM evidence, invoice) we parse (bytes).
pub const MAX_XML_BYTES: usize = 64 * 1024 * 1024;
/// Deepest XML element nesting we accept.
pub const MAX_XML_DEPTH: usize = 64;

/// Largest file we accept as an attachment to send (bytes). The most generous provider allows
/// 100 MB per message, so a bigger file can never be sent; the cap is checked before a byte is
/// read, so a huge file or an endless stream (`/dev/zero`, a pipe) cannot exhaust memory.
pub const MAX_ATTACHMENT_BYTES: u64 = 100 * 1024 * 1024;
/// Largest message file we import or inspect (bytes): [`MAX_MESSAGE_BYTES`], checked on the file
/// before reading it, so `pec import /dev/zero` stops at the cap instead of filling memory.
pub const MAX_MESSAGE_FILE_BYTES: u64 = MAX_MESSAGE_BYTES as u64;
/// Largest invoice file we open (bytes). An invoice may come as the whole `.eml` that carried
/// it, so the message cap applies; the XML inside is held to [`MAX_XML_BYTES`] by its parser.
pub const MAX_INVOICE_FILE_BYTES: u64 = MAX_MESSAGE_BYTES as u64;
/// Largest text or HTML body read from a file or standard input for sending (bytes): far above
/// any letter, low enough that a runaway pipe cannot exhaust memory.
pub const MAX_BODY_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Largest CA certificate file (PEM) we read for a test or private server (bytes).
pub const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;
/// Longest file name we write (bytes): the limit of ext4, APFS, NTFS and most file systems. A
/// longer attachment name (a hostile sender's 300 characters) is shortened, keeping the extension.
pub const MAX_FILE_NAME_BYTES: usize = 255;
/// Most `name (N).ext` variants tried when a file name is taken in a folder we write into.
pub const MAX_NAME_VARIANTS: u32 = 10_000;
/// Most rows one list page returns: a screen never needs more, and a caller asking for more is
/// told the cap (never silently cut).
pub const MAX_PAGE_ROWS: u32 = 500;
/// Longest header text kept in the store's columns and search index (bytes): subject, names,
/// addresses. A 50 MB `Subject:` line would otherwise be copied into every column, the index and
/// each list row (the import of one peaked at 375 MiB); the whole header stays in the stored
/// message.
pub const MAX_HEADER_TEXT_BYTES: usize = 16 * 1024;
/// Longest IMAP response line we buffer outside literals (bytes). async-imap holds a whole
/// response in memory before parsing: a server sending an endless line would grow it without end.
/// Real lines (a FETCH with envelope and structure) stay far below.
pub const MAX_IMAP_LINE_BYTES: usize = 4 * 1024 * 1024;
/// Deepest parenthesis nesting we let an IMAP response reach. imap-proto parses nested lists
/// (BODYSTRUCTURE) by recursion, some 5 KiB of stack a level: 400 levels overflow a 2 MiB thread
/// stack and abort the process, and a server can send four million `(` in one line. Dovecot caps
/// a message's MIME nesting at 100, which a BODYSTRUCTURE shows within some 105 levels.
pub const MAX_IMAP_NESTING: usize = 128;
/// Largest IMAP literal a server may announce (bytes): a message is never larger than
/// [`MAX_MESSAGE_BYTES`], and a `{10000000000}` must be refused before its bytes arrive.
pub const MAX_IMAP_LITERAL_BYTES: u64 = MAX_MESSAGE_BYTES as u64;
/// Largest answer we read from a CardDAV server (bytes): a listing of tens of thousands of cards
/// with their ETags fits many times over; a server sending without end is cut there.
pub const MAX_DAV_BYTES: usize = 32 * 1024 * 1024;
/// Cards asked for in one `addressbook-multiget`, and written in one transaction.
pub const DAV_MULTIGET_CARDS: usize = 100;
