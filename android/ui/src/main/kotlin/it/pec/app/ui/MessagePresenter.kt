package it.pec.app.ui

import it.pec.core.AccountInfo
import it.pec.core.App
import it.pec.core.AttachmentInfo
import it.pec.core.ComposeDraft
import it.pec.core.DeniedAction
import it.pec.core.DownloadListener
import it.pec.core.DownloadProgress
import it.pec.core.EvidenceFile
import it.pec.core.MenuEntry
import it.pec.core.MessageAction
import it.pec.core.MessageView
import it.pec.core.composeRefusal
import it.pec.core.ui.changesFlow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** One attachment being saved or saved: bytes so far, and the file once written. */
data class AttachmentFile(val done: ULong = 0u, val total: ULong = 0u, val path: String? = null)

/** The message screen's state: the core's view of the message (facts, signature, timeline). */
data class MessageState(
    val view: MessageView? = null,
    /** The message's account: what its login may not do ([AccountInfo.denied]). */
    val account: AccountInfo? = null,
    /** The body is being downloaded. */
    val downloading: Boolean = false,
    /** Where the core allows the message to be moved. */
    val moveTargets: List<MenuEntry> = emptyList(),
    /** Attachments saved or being saved, by IMAP section. */
    val files: Map<String, AttachmentFile> = emptyMap(),
    /** The evidence files written by the last export. */
    val evidence: List<EvidenceFile> = emptyList(),
    val errorCode: String? = null,
)

/**
 * One message from the facade. A header-only message is downloaded first, since only its body
 * lets the core check what is certified; the view is read again at every change of the account
 * (a receipt moves the recipients' timeline).
 */
class MessagePresenter(private val app: App, private val scope: CoroutineScope, private val messageId: Long) {
    private val mutable = MutableStateFlow(MessageState())
    val state: StateFlow<MessageState> = mutable.asStateFlow()

    init {
        scope.launch {
            load()
            if (state.value.view?.downloaded == false) download()
            val account = state.value.view?.row?.accountId
            app.changesFlow().conflate().collect { change ->
                if (change.accountId == null || change.accountId == account) load()
            }
        }
    }

    /** Why `action` may not be taken by this login (the core's reason), or `null` when it may. */
    fun refusal(action: MessageAction): DeniedAction? = state.value.account?.refusal(action)

    /** Why this login may not reply or forward (the core's rule: only when it may neither send nor save a draft). */
    fun replyRefusal(): DeniedAction? = state.value.account?.let { composeRefusal(it.denied) }

    /** Apply an action (the core checks the permissions again and refuses with a code). */
    fun apply(action: MessageAction) {
        scope.launch {
            try {
                app.apply(messageId, action)
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
            load()
        }
    }

    /** The draft of a reply (to the real sender; `all`: the others in Cc), prepared by the core. */
    suspend fun replyDraft(all: Boolean): ComposeDraft? = prepared { app.replyDraft(messageId, all) }

    /** A saved draft reopened as it was, to go on writing. */
    suspend fun resumeDraft(): ComposeDraft? = prepared { app.resumeDraft(messageId) }

    /** The draft of a forward with the original's attachments, prepared by the core. */
    suspend fun forwardDraft(): ComposeDraft? = prepared { app.forwardDraft(messageId) }

    /**
     * Save the attachment into `dir` (a new file: a name taken gets ` (1)`), downloading only that
     * part, with its progress in [MessageState.files]; [then] gets the file written.
     */
    fun save(attachment: AttachmentInfo, dir: String, then: (String) -> Unit = {}) {
        val section = attachment.section ?: return
        val progress = object : DownloadListener {
            override fun onProgress(progress: DownloadProgress) = track(section) {
                it.copy(done = progress.done, total = progress.total)
            }
        }
        track(section) { it.copy(total = attachment.size) }
        scope.launch {
            try {
                val saved = app.saveAttachment(messageId, section, dir, progress)
                val path = saved.path ?: return@launch mutable.update { it.copy(errorCode = saved.error?.code) }
                track(section) { it.copy(done = saved.size, total = saved.size, path = path) }
                then(path)
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e), files = it.files - section) }
            }
        }
    }

    /** Write the message's evidence (as received, its daticert, its receipts, SHA256SUMS) into `dir`. */
    fun exportEvidence(dir: String, then: (List<EvidenceFile>) -> Unit = {}) {
        scope.launch {
            try {
                val files = app.exportEvidence(messageId, dir)
                mutable.update { it.copy(evidence = files, errorCode = null) }
                then(files)
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }

    private fun track(section: String, change: (AttachmentFile) -> AttachmentFile) = mutable.update {
        it.copy(files = it.files + (section to change(it.files[section] ?: AttachmentFile())))
    }

    private suspend fun prepared(make: suspend () -> ComposeDraft): ComposeDraft? = try {
        make()
    } catch (e: Exception) {
        mutable.update { it.copy(errorCode = codeOf(e)) }
        null
    }

    private suspend fun download() {
        mutable.update { it.copy(downloading = true) }
        try {
            app.download(messageId)
        } catch (e: Exception) {
            mutable.update { it.copy(errorCode = codeOf(e)) }
        }
        mutable.update { it.copy(downloading = false) }
        load()
    }

    private suspend fun load() {
        try {
            val view = app.message(messageId)
            val account = state.value.account ?: app.account(view.row.accountId)
            val targets = app.moveTargets(messageId)
            mutable.update { it.copy(view = view, account = account, moveTargets = targets) }
        } catch (e: Exception) {
            mutable.update { it.copy(errorCode = codeOf(e)) }
        }
    }
}
