//! `UID FETCH` and `UID SEARCH` read to their tagged completion.
//!
//! async-imap's `uid_fetch` and `uid_search` end at the tagged line without looking at it, and at
//! a connection that closes between two responses: a `NO` or a cut there looked like a complete
//! answer with fewer messages. After a short search the sync deleted local messages and the outbox
//! took a submitted PEC for one never sent (and sent it again); after a short fetch the sync moved
//! its resume point past messages it never got. Here an answer counts only with the server's
//! tagged `OK`.

use super::SyncError;
use super::conn::{ImapSession, classify_io, map_imap};
use async_imap::imap_proto::{
    AttributeValue, BodyStructure, MailboxDatum, MessageSection, Response, SectionPath, Status,
};
use async_imap::types::Flag;
use chrono::{DateTime, FixedOffset};

/// The attributes of one FETCH response, read the way async-imap's `Fetch` reads them.
pub(crate) struct Fetched<'r, 'a> {
    attrs: &'r [AttributeValue<'a>],
}

impl<'r, 'a> Fetched<'r, 'a> {
    fn find<T>(&self, pick: impl FnMut(&'r AttributeValue<'a>) -> Option<T>) -> Option<T> {
        self.attrs.iter().find_map(pick)
    }

    pub(crate) fn uid(&self) -> Option<u32> {
        self.find(|a| match a {
            AttributeValue::Uid(uid) => Some(*uid),
            _ => None,
        })
    }

    pub(crate) fn size(&self) -> Option<u32> {
        self.find(|a| match a {
            AttributeValue::Rfc822Size(size) => Some(*size),
            _ => None,
        })
    }

    pub(crate) fn modseq(&self) -> Option<u64> {
        self.find(|a| match a {
            AttributeValue::ModSeq(modseq) => Some(*modseq),
            _ => None,
        })
    }

    pub(crate) fn flags(&self) -> impl Iterator<Item = Flag<'r>> {
        self.attrs
            .iter()
            .filter_map(|a| match a {
                AttributeValue::Flags(flags) => Some(flags.iter().map(|f| Flag::from(f.as_ref()))),
                _ => None,
            })
            .flatten()
    }

    /// `INTERNALDATE` in RFC 3501's `dd-Mon-yyyy hh:mm:ss +zzzz`.
    pub(crate) fn internal_date(&self) -> Option<DateTime<FixedOffset>> {
        self.find(|a| match a {
            AttributeValue::InternalDate(date) => {
                DateTime::parse_from_str(date, "%d-%b-%Y %H:%M:%S %z").ok()
            }
            _ => None,
        })
    }

    pub(crate) fn header(&self) -> Option<&'r [u8]> {
        self.find(|a| match a {
            AttributeValue::BodySection {
                section: Some(SectionPath::Full(MessageSection::Header)),
                data: Some(header),
                ..
            }
            | AttributeValue::Rfc822Header(Some(header)) => Some(header.as_ref()),
            _ => None,
        })
    }

    pub(crate) fn body(&self) -> Option<&'r [u8]> {
        self.find(|a| match a {
            AttributeValue::BodySection {
                section: None,
                data: Some(body),
                ..
            }
            | AttributeValue::Rfc822(Some(body)) => Some(body.as_ref()),
            _ => None,
        })
    }

    pub(crate) fn bodystructure(&self) -> Option<&'r BodyStructure<'a>> {
        self.find(|a| match a {
            AttributeValue::BodyStructure(structure) => Some(structure),
            _ => None,
        })
    }
}

/// `UID FETCH set items`, each FETCH response handed to `each` as it arrives, read to the tagged
/// completion: `Ok` only when the server said `OK`. Other untagged responses (EXISTS, EXPUNGE)
/// are left for the next pass to see in the mailbox itself.
pub(crate) async fn uid_fetch_each(
    sess: &mut ImapSession,
    set: &str,
    items: &str,
    mut each: impl FnMut(&Fetched<'_, '_>),
) -> Result<(), SyncError> {
    let command = format!("UID FETCH {set} {items}");
    to_completion(sess, "UID FETCH", &command, |response| {
        if let Response::Fetch(_, attrs) = response {
            each(&Fetched { attrs });
        }
    })
    .await
}

/// `UID SEARCH query`: the UIDs, only when the server said `OK`.
pub(crate) async fn uid_search(
    sess: &mut ImapSession,
    query: &str,
) -> Result<std::collections::HashSet<u32>, SyncError> {
    let mut uids = std::collections::HashSet::new();
    let command = format!("UID SEARCH {query}");
    to_completion(sess, "UID SEARCH", &command, |response| {
        if let Response::MailboxData(MailboxDatum::Search(found)) = response {
            uids.extend(found.iter());
        }
    })
    .await?;
    Ok(uids)
}

/// Send `command` and hand every response to `each` until the command's own tagged line; `Ok`
/// only when that line says `OK`. A connection that ends first is a network error, whatever
/// arrived before it. `what` names the command in errors.
async fn to_completion(
    sess: &mut ImapSession,
    what: &str,
    command: &str,
    mut each: impl FnMut(&Response<'_>),
) -> Result<(), SyncError> {
    let tag = sess.run_command(command).await.map_err(map_imap)?;
    loop {
        let Some(response) = sess.read_response().await.map_err(classify_io)? else {
            return Err(SyncError::Network(format!(
                "the connection closed before {what} completed"
            )));
        };
        match response.parsed() {
            Response::Done {
                tag: done,
                status,
                outcome,
            } if *done == tag => {
                let said = outcome.information.as_deref().unwrap_or_default();
                return match status {
                    Status::Ok => Ok(()),
                    Status::No => Err(SyncError::Server(format!("{what}: {said}"))),
                    _ => Err(SyncError::Protocol(format!("{what}: {status:?} {said}"))),
                };
            }
            other => each(other),
        }
    }
}
