//! IMAP sync (filled next).
