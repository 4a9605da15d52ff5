//! LIST-STATUS (RFC 5819): one `LIST "" "*" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY
//! HIGHESTMODSEQ))` tells, for every folder at once, whether anything changed since the last pass;
//! unchanged folders are then not even SELECTed (a no-change resync costs one round trip plus the
//! login instead of one SELECT per folder).
//!
//! The STATUS replies arrive through async-imap's unsolicited channel (bounded: on overflow some
//! are lost, and those folders are simply SELECTed as before).

use super::conn::ImapSession;
use crate::store::Folder;
use async_imap::imap_proto::StatusAttribute;
use async_imap::types::UnsolicitedResponse;
use std::collections::HashMap;

/// What STATUS said about one folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FolderStatus {
    pub messages: Option<u32>,
    pub uid_next: Option<u32>,
    pub uid_validity: Option<u32>,
    pub highest_modseq: Option<u64>,
}

impl FolderStatus {
    /// True when the folder is exactly as the last complete pass left it (`local_count`: messages
    /// with a server UID in the store).
    pub(crate) fn unchanged(&self, f: &Folder, local_count: u64) -> bool {
        let complete =
            f.backfill_uid == Some(1) || (f.uidnext.is_some() && f.backfill_uid.is_none());
        complete
            && self.uid_validity.is_some()
            && self.uid_validity == f.uidvalidity
            && self.uid_next.is_some()
            && self.uid_next == f.uidnext
            && self.highest_modseq.is_some()
            && self.highest_modseq == f.highestmodseq
            && self.messages.map(u64::from) == Some(local_count)
    }
}

/// The LIST pattern argument with the RETURN options.
pub(crate) fn pattern(special_use: bool) -> &'static str {
    if special_use {
        "\"*\" RETURN (SPECIAL-USE STATUS (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ))"
    } else {
        "\"*\" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ))"
    }
}

/// Drain the unsolicited channel, keeping the STATUS replies (by folder name).
pub(crate) fn collect(sess: &mut ImapSession) -> HashMap<String, FolderStatus> {
    let mut out = HashMap::new();
    while let Ok(u) = sess.unsolicited_responses.try_recv() {
        if let UnsolicitedResponse::Status {
            mailbox,
            attributes,
        } = u
        {
            let mut st = FolderStatus::default();
            for a in attributes {
                match a {
                    StatusAttribute::Messages(n) => st.messages = Some(n),
                    StatusAttribute::UidNext(n) => st.uid_next = Some(n),
                    StatusAttribute::UidValidity(n) => st.uid_validity = Some(n),
                    StatusAttribute::HighestModSeq(n) => st.highest_modseq = Some(n),
                    _ => {}
                }
            }
            out.insert(mailbox, st);
        }
    }
    out
}
