//! IMAP IDLE on the inbox: wait for the server to say something changed, then sync.

use super::*;

impl SyncEngine {
    /// Wait on the inbox with IDLE until the server reports a change or `timeout` passes; at once
    /// when the inbox already holds mail the last pass did not see.
    pub async fn idle_inbox(
        &self,
        account: AccountId,
        timeout: Duration,
    ) -> Result<bool, SyncError> {
        crate::sync::conn::contained(self.idle_inbox_uncontained(account, timeout)).await
    }

    /// [`Self::idle_inbox`] without the panic containment.
    pub(super) async fn idle_inbox_uncontained(
        &self,
        account: AccountId,
        timeout: Duration,
    ) -> Result<bool, SyncError> {
        let (acc, password) = self.account(account).await?;
        let mut sess = connect(&acc, &password).await?;
        let inbox = sess.select("INBOX").await.map_err(map_imap)?;
        // Mail that came between the last pass and this SELECT would wait for the IDLE timeout:
        // IDLE reports only what changes after it starts.
        let synced = self
            .shared
            .store
            .run(move |s| Ok(s.find_folder(account, "inbox")?.and_then(|f| f.uidnext)))
            .await?;
        if inbox.uid_next.is_some() && inbox.uid_next != synced {
            let _ = sess.logout().await;
            return Ok(true);
        }
        let mut idle = sess.idle();
        idle.init().await.map_err(map_imap)?;
        let (fut, _stop) = idle.wait_with_timeout(timeout);
        let r = fut.await.map_err(map_imap)?;
        let changed = matches!(r, async_imap::extensions::idle::IdleResponse::NewData(_));
        if let Ok(mut s) = idle.done().await {
            let _ = s.logout().await;
        }
        Ok(changed)
    }
}
