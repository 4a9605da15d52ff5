//! What a pass learns before touching mail: the server's capabilities, the folder list with roles
//! (SPECIAL-USE or names), the user's rights on each folder (MYRIGHTS) and the quota.

use super::*;

/// A folder as LIST named it: name, delimiter, special-use role, and whether it cannot be
/// selected (`\Noselect`, `\NonExistent`).
type Listed = (String, Option<String>, Option<FolderRole>, bool);

/// LIST (with STATUS for every folder when the server offers LIST-STATUS).
async fn list_folders(sess: &mut ImapSession, caps: &Caps) -> Result<Vec<Listed>, SyncError> {
    let pattern = if caps.list_status {
        list_status::pattern(caps.special_use)
    } else {
        "*"
    };
    let stream = sess.list(Some(""), Some(pattern)).await.map_err(map_imap)?;
    let names: Vec<_> = stream.try_collect().await.map_err(map_imap)?;
    Ok(names
        .iter()
        .map(|n| {
            let attrs = attribute_words(n);
            let noselect = attrs.iter().any(|a| {
                a.eq_ignore_ascii_case("\\Noselect") || a.eq_ignore_ascii_case("\\NonExistent")
            });
            let delim = n.delimiter().map(str::to_string);
            (n.name().to_string(), delim, role_of(n), noselect)
        })
        .collect())
}

impl SyncEngine {
    pub(super) async fn capabilities(&self, sess: &mut ImapSession) -> Result<Caps, SyncError> {
        let caps = sess.capabilities().await.map_err(map_imap)?;
        Ok(Caps {
            condstore: caps.has_str("CONDSTORE") || caps.has_str("QRESYNC"),
            qresync: caps.has_str("QRESYNC") && caps.has_str("ENABLE"),
            list_status: caps.has_str("LIST-STATUS")
                && (caps.has_str("CONDSTORE") || caps.has_str("QRESYNC")),
            special_use: caps.has_str("SPECIAL-USE"),
            mv: caps.has_str("MOVE"),
            quota: caps.has_str("QUOTA"),
            acl: caps.has_str("ACL"),
            uidplus: caps.has_str("UIDPLUS"),
        })
    }

    /// LIST, assign roles (SPECIAL-USE, then names), store the folders. Inbox first.
    pub(super) async fn discover(
        &self,
        sess: &mut ImapSession,
        account: &Account,
        caps: &Caps,
    ) -> Result<(Vec<Folder>, HashMap<String, FolderStatus>), SyncError> {
        drain_unsolicited(sess);
        let names = list_folders(sess, caps).await?;
        let statuses = list_status::collect(sess);
        let folders = self.folders_as_listed(account.id, names).await?;
        self.rights_if_due(sess, account.id, caps, &folders).await?;
        Ok((folders, statuses))
    }

    /// The account's folders as the server listed them, inbox and sent first. Only what is new
    /// or changed is written: a no-change resync stays read-only here.
    async fn folders_as_listed(
        &self,
        id: AccountId,
        names: Vec<Listed>,
    ) -> Result<Vec<Folder>, SyncError> {
        let folders = self
            .shared
            .store
            .run(move |s| {
                let known = s.folders(id)?;
                let mut wrote = false;
                for (name, delim, role, noselect) in &names {
                    let same = known.iter().any(|k| {
                        &k.name == name
                            && (role.is_none() || k.role == *role)
                            && k.delimiter == *delim
                    });
                    if !noselect && !same {
                        s.ensure_folder(id, name, *role, delim.as_deref())?;
                        wrote = true;
                    }
                }
                let mut f = if wrote { s.folders(id)? } else { known };
                let server: HashSet<&str> = names.iter().map(|n| n.0.as_str()).collect();
                f.retain(|x| server.contains(x.name.as_str()));
                f.sort_by_key(|x| match x.role {
                    Some(FolderRole::Inbox) => 0,
                    Some(FolderRole::Sent) => 1,
                    _ => 2,
                });
                Ok(f)
            })
            .await?;
        Ok(folders)
    }

    /// MYRIGHTS of every folder: on the first pass, then at most hourly (delegations change
    /// rarely; a refused command surfaces as an error anyway).
    async fn rights_if_due(
        &self,
        sess: &mut ImapSession,
        id: AccountId,
        caps: &Caps,
        folders: &[Folder],
    ) -> Result<(), SyncError> {
        let rights_key = format!("rights_checked_at:{id}");
        let rights_due = {
            let key = rights_key.clone();
            let last = self.shared.store.run(move |s| s.setting(&key)).await?;
            let stale = last
                .and_then(|v| v.parse::<i64>().ok())
                .is_none_or(|t| crate::store::now() - t > 3600);
            stale || folders.iter().any(|f| f.myrights.is_none())
        };
        if !(caps.acl && rights_due) {
            return Ok(());
        }
        let mut by_id: Vec<(i64, String)> = Vec::new();
        for f in folders {
            if let Some(r) = self.myrights(sess, &f.name).await? {
                by_id.push((f.id, r));
            }
        }
        self.shared
            .store
            .run(move |s| {
                for (id, r) in &by_id {
                    s.set_folder_rights(*id, Some(r))?;
                }
                s.set_setting(&rights_key, &crate::store::now().to_string())
            })
            .await?;
        Ok(())
    }

    /// ACL MYRIGHTS for a folder (RFC 4314 letters).
    pub(super) async fn myrights(
        &self,
        sess: &mut ImapSession,
        folder: &str,
    ) -> Result<Option<String>, SyncError> {
        drain_unsolicited(sess);
        let quoted = format!("\"{}\"", folder.replace('\\', "\\\\").replace('"', "\\\""));
        match sess
            .run_command_and_check_ok(format!("MYRIGHTS {quoted}"))
            .await
        {
            Ok(()) => {}
            Err(async_imap::error::Error::No(_)) => return Ok(None),
            Err(e) => return Err(map_imap(e)),
        }
        let mut rights = None;
        while let Ok(u) = sess.unsolicited_responses.try_recv() {
            if let async_imap::types::UnsolicitedResponse::Other(data) = u
                && let imap_proto::Response::MyRights(m) = data.parsed()
            {
                rights = Some(m.rights.iter().map(|r| char::from(*r)).collect::<String>());
            }
        }
        Ok(rights)
    }

    pub(super) async fn quota(
        &self,
        sess: &mut ImapSession,
        account: AccountId,
    ) -> Result<(), SyncError> {
        let (_roots, quotas) = match sess.get_quota_root("INBOX").await {
            Ok(q) => q,
            Err(async_imap::error::Error::No(_)) => return Ok(()),
            Err(e) => return Err(map_imap(e)),
        };
        drain_unsolicited(sess);
        let storage = quotas
            .iter()
            .flat_map(|q| q.resources.iter())
            .find(|r| matches!(r.name, async_imap::types::QuotaResourceName::Storage));
        if let Some(r) = storage {
            let (used, limit) = (r.usage, r.limit);
            self.shared
                .store
                .run(move |s| {
                    let a = s.account(account)?;
                    if a.quota_used_kb != Some(used) || a.quota_limit_kb != Some(limit) {
                        s.set_quota(account, Some(used), Some(limit))?;
                    }
                    Ok(())
                })
                .await?;
            self.emit(SyncEvent::Quota {
                account,
                used_kb: used,
                limit_kb: limit,
            });
        }
        Ok(())
    }
}
