package it.pec.app.ui

import it.pec.core.AddressSuggestion
import it.pec.core.App
import it.pec.core.ComposeDraft
import it.pec.core.DraftCheck
import it.pec.core.MessagePriority
import it.pec.core.OutgoingAttachment
import it.pec.core.RequestedReceipt
import it.pec.core.SendResult
import it.pec.core.attachmentFromPath
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** The draft as typed, and the core's check of it (problems, recipients, size budget). */
data class ComposeState(
    val to: List<String> = emptyList(),
    val cc: List<String> = emptyList(),
    val subject: String = "",
    val text: String = "",
    val attachments: List<OutgoingAttachment> = emptyList(),
    val receipt: RequestedReceipt = RequestedReceipt.COMPLETA,
    val priority: MessagePriority = MessagePriority.NORMAL,
    /** A reply's threading headers, kept from the draft the core prepared. */
    val inReplyTo: String? = null,
    val references: List<String> = emptyList(),
    val check: DraftCheck? = null,
    /** Completions of what is typed in [suggestingFor] ("to" or "cc"), from the address book. */
    val suggestions: List<AddressSuggestion> = emptyList(),
    val suggestingFor: String? = null,
    val sending: Boolean = false,
    /** Saved in the Drafts folder on the server. */
    val draftSaved: Boolean = false,
    val sent: SendResult? = null,
    val errorCode: String? = null,
) {
    /** The core found nothing that stops the sending (there is no Bcc field: PEC has none). */
    val sendable: Boolean get() = check?.problems?.isEmpty() == true && !sending && sent == null
}

/**
 * The compose screen. Every change asks the core to check the whole draft (recipients certified or
 * not, blocked files, size × recipients against the provider's limit) and to keep it, so an app
 * the system closed opens it again ([kept]: the core's kept compose this screen reopens); sending
 * queues the PEC in the outbox (never lost), forgetting the kept copy in the same step, and
 * submits it.
 */
class ComposePresenter(
    private val app: App,
    private val scope: CoroutineScope,
    private val accountId: Long,
    start: ComposeDraft? = null,
    kept: Long? = null,
) {
    private val mutable = MutableStateFlow(start?.let(::stateOf) ?: ComposeState())
    val state: StateFlow<ComposeState> = mutable.asStateFlow()
    private var checking: Job? = null
    private var suggesting: Job? = null
    /**
     * Where keeping and forgetting run: not the screen's scope, which ends with the screen, when
     * the last words typed must still reach the core (the lock came, the user went back).
     */
    private val lasting = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    /** One keep at a time, so the first one's id is known to the next; none after [closed]. */
    private val keeping = Mutex()
    private var keptId: Long? = kept
    private var nextKeep: Job? = null
    private var closed = false

    init {
        recheck()
        if (kept == null) open(start)
    }

    /**
     * The text the core opens this compose with (the account's signature under the place to
     * write, when the text is empty), unless the user typed first.
     */
    private fun open(start: ComposeDraft?) {
        scope.launch {
            val opened = orFailed(::showError) { app.composeStart(accountId, start) } ?: return@launch
            mutable.update { if (it.text.isEmpty()) it.copy(text = opened.text) else it }
        }
    }

    /**
     * Text typed in the `field` ("to" or "cc") recipient box: the core's completions a moment
     * after the last keystroke (contacts first, then correspondents, with what each proved).
     */
    fun typing(field: String, text: String) {
        suggesting?.cancel()
        if (text.isBlank()) {
            mutable.update { it.copy(suggestions = emptyList(), suggestingFor = null) }
            return
        }
        suggesting = scope.launch {
            delay(150)
            val found = try {
                app.suggestAddresses(text, 6u)
            } catch (e: Exception) {
                emptyList()
            }
            mutable.update { it.copy(suggestions = found, suggestingFor = field) }
        }
    }

    /** A completion picked: its address joins the field's recipients. */
    fun pick(field: String, suggestion: AddressSuggestion) {
        suggesting?.cancel()
        mutable.update { it.copy(suggestions = emptyList(), suggestingFor = null) }
        if (field == "cc") addCc(suggestion.address) else addTo(suggestion.address)
    }

    fun addTo(address: String) = edit { it.copy(to = it.to + address.trim()) }
    fun removeTo(address: String) = edit { it.copy(to = it.to - address) }
    fun addCc(address: String) = edit { it.copy(cc = it.cc + address.trim()) }
    fun removeCc(address: String) = edit { it.copy(cc = it.cc - address) }
    fun setSubject(subject: String) = edit { it.copy(subject = subject) }
    fun setText(text: String) = edit { it.copy(text = text) }
    fun setReceipt(receipt: RequestedReceipt) = edit { it.copy(receipt = receipt) }
    fun setPriority(priority: MessagePriority) = edit { it.copy(priority = priority) }
    fun removeAttachment(name: String) = edit { s -> s.copy(attachments = s.attachments.filter { it.fileName != name }) }

    /** Attach the file at `path` (read by the core, refused over its size cap). */
    fun attach(path: String) {
        scope.launch {
            try {
                val a = attachmentFromPath(path)
                edit { it.copy(attachments = it.attachments + a) }
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }

    fun send() {
        val s = state.value
        if (!s.sendable) return
        mutable.update { it.copy(sending = true, errorCode = null) }
        nextKeep?.cancel()
        scope.launch {
            try {
                val result = keeping.withLock {
                    app.send(accountId, draft(s), keptId).also { closed = true }
                }
                mutable.update { it.copy(sending = false, sent = result) }
            } catch (e: Exception) {
                mutable.update { it.copy(sending = false, errorCode = codeOf(e)) }
            }
        }
    }

    /** The draft as typed now (what a template is saved from). */
    fun draft(): ComposeDraft = draft(state.value)

    /** A template opened here: its recipients, subject, text, receipt type and priority replace what was written; attachments stay. */
    fun useTemplate(d: ComposeDraft) = edit {
        it.copy(to = d.to, cc = d.cc, subject = d.subject, text = d.text,
            receipt = d.receipt ?: RequestedReceipt.COMPLETA, priority = d.priority ?: MessagePriority.NORMAL)
    }

    /** Save the draft in the Drafts folder on the server (the webmail finds it there too). */
    fun saveDraft() {
        val s = state.value
        scope.launch {
            try {
                app.saveDraft(accountId, draft(s))
                mutable.update { it.copy(draftSaved = true, errorCode = null) }
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }

    /** The user left the screen without sending: the core forgets the kept copy. */
    fun leave() {
        nextKeep?.cancel()
        lasting.launch {
            keeping.withLock {
                if (closed) return@withLock
                closed = true
                keptId?.let { runCatching { app.forgetCompose(it) } }
            }
        }
    }

    private fun edit(change: (ComposeState) -> ComposeState) {
        mutable.update { change(it).copy(errorCode = null, draftSaved = false) }
        recheck()
        keepSoon()
    }

    /** The screen goes but stays on the back stack (the lock came): keep what is typed now. */
    fun keepNow() {
        if (nextKeep?.isActive == true) keep(after = 0)
    }

    /** Hand the draft to the core a moment after the last change (typing is many changes). */
    private fun keepSoon() = keep(after = 300)

    private fun keep(after: Long) {
        nextKeep?.cancel()
        nextKeep = lasting.launch {
            delay(after)
            keeping.withLock {
                if (closed) return@withLock
                orFailed(::showError) { app.keepCompose(accountId, keptId, draft(state.value)) }
                    ?.let { keptId = it }
            }
        }
    }

    private fun showError(code: String) = mutable.update { it.copy(errorCode = code) }

    private fun recheck() {
        checking?.cancel()
        val s = state.value
        checking = scope.launch {
            try {
                val check = app.checkDraft(accountId, draft(s))
                mutable.update { if (draft(it) == draft(s)) it.copy(check = check) else it }
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }

    private fun draft(s: ComposeState) = ComposeDraft(
        to = s.to, cc = s.cc, subject = s.subject, text = s.text, attachments = s.attachments,
        receipt = s.receipt, inReplyTo = s.inReplyTo, priority = s.priority, references = s.references,
    )

    /** The screen's state for a draft the core prepared (a reply, a forward). */
    private fun stateOf(d: ComposeDraft) = ComposeState(
        to = d.to, cc = d.cc, subject = d.subject, text = d.text, attachments = d.attachments,
        receipt = d.receipt ?: RequestedReceipt.COMPLETA, priority = d.priority ?: MessagePriority.NORMAL,
        inReplyTo = d.inReplyTo, references = d.references,
    )
}
