package it.pec.app.ui

import it.pec.core.AccountInfo
import it.pec.core.App
import it.pec.core.BodyDownload
import it.pec.core.ErrorEvent
import it.pec.core.FolderEmptying
import it.pec.core.ListListener
import it.pec.core.ListRow
import it.pec.core.ListUpdate
import it.pec.core.ListWatch
import it.pec.core.MenuEntry
import it.pec.core.MessageAction
import it.pec.core.ViewRef
import it.pec.core.ui.applying
import it.pec.core.ui.counts
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** One list (a folder, the inbox, the virtual Invoices or Receipts) as the screen draws it. */
data class MessageListState(
    val rows: List<ListRow> = emptyList(),
    val total: UInt = 0u,
    val unread: UInt = 0u,
    val hideReceipts: Boolean = false,
    /** The core has more rows after the last one. */
    val hasMore: Boolean = false,
    val loading: Boolean = true,
    /** A sync asked by pulling the list down is under way. */
    val refreshing: Boolean = false,
    val errorCode: String? = null,
    /** The rows chosen for an action on all of them (a long press starts the choice). */
    val selected: Set<Long> = emptySet(),
    /** The list's account: what its login may not do, for the selection's actions. */
    val account: AccountInfo? = null,
    /** The folders the chosen rows may move to (the core's list for the first of them), while asked. */
    val moveTargets: List<MenuEntry>? = null,
    /** The list is a folder the core lets the user empty at once (the trash, the junk folder). */
    val emptiable: Boolean = false,
    /** What emptying it would delete for good, while the question is asked. */
    val emptying: FolderEmptying? = null,
)

/**
 * One list watched through the facade (`App.watchList`): the core sends the rows first, then only
 * the rows removed, inserted and updated by a sync, a receipt or an action, so the screen redraws
 * what changed and keeps its scroll position. Ticks, marks, what counts as a receipt and whether
 * receipts are hidden by default are the core's.
 */
class MessageListPresenter(
    private val app: App,
    private val scope: CoroutineScope,
    private val accountId: Long,
    private val view: ViewRef,
    private val pageSize: UInt = 50u,
) {
    private val mutable = MutableStateFlow(MessageListState())
    val state: StateFlow<MessageListState> = mutable.asStateFlow()
    @Volatile private var watch: ListWatch? = null

    private val listener = object : ListListener {
        override fun onUpdate(update: ListUpdate) = mutable.update {
            val c = update.counts
            val rows = it.rows.applying(update)
            // A chosen row the sync removed is no longer chosen.
            val selected = if (it.selected.isEmpty()) it.selected else it.selected.filterTo(HashSet()) { id -> rows.any { r -> r.id == id } }
            it.copy(rows = rows, total = c.total, unread = c.unread, hasMore = c.hasMore,
                hideReceipts = c.hideReceipts, emptiable = c.emptiable, loading = false, errorCode = null, selected = selected)
        }

        override fun onError(error: ErrorEvent) = mutable.update { it.copy(loading = false, errorCode = error.code) }
    }

    init {
        scope.launch {
            try {
                val account = runCatching { app.account(accountId) }.getOrNull()
                mutable.update { it.copy(account = account) }
                watch = app.watchList(accountId, view, pageSize, null, listener)
            } catch (e: Exception) {
                mutable.update { it.copy(loading = false, errorCode = codeOf(e)) }
            }
        }
        scope.coroutineContext[Job]?.invokeOnCompletion { watch?.let { it.cancel(); it.close() } }
    }

    /** Choose a row for an action on several, or leave it out again. */
    fun toggle(id: Long) = mutable.update { s ->
        s.copy(selected = if (id in s.selected) s.selected - id else s.selected + id)
    }

    fun clearSelection() = mutable.update { it.copy(selected = emptySet(), moveTargets = null) }

    /** Show the folders the chosen rows may move to (again: hide them). */
    fun toggleMoveTargets() {
        if (state.value.moveTargets != null) return mutable.update { it.copy(moveTargets = null) }
        val first = state.value.selected.firstOrNull() ?: return
        showingErrors {
            val targets = app.moveTargets(first)
            mutable.update { it.copy(moveTargets = targets) }
        }
    }

    /** Why this login may not take `action` on the chosen rows (the core's reason), or `null`. */
    fun refusal(action: MessageAction) = state.value.account?.refusal(action)

    /**
     * `action` on every chosen row: the core applies it to all of them or, when one is refused,
     * to none and says why. The rows change through the watch.
     */
    fun applyToSelected(action: MessageAction) {
        val chosen = state.value.selected.toList()
        if (chosen.isEmpty()) return
        showingErrors {
            app.applyAll(chosen, action)
            mutable.update { it.copy(selected = emptySet(), moveTargets = null, errorCode = null) }
        }
    }

    /** Every unread message of this list read, the whole list and not the rows loaded (the core's). */
    fun markAllRead() = showingErrors { app.markAllRead(accountId, view) }

    /** Ask before emptying this folder: what would go for good, counted by the core. */
    fun askToEmpty() {
        val folder = view as? ViewRef.Folder ?: return
        showingErrors {
            val emptying = app.emptying(folder.id)
            mutable.update { it.copy(emptying = emptying) }
        }
    }

    /** The user agreed: the core empties the folder (here now, on the server at the next sync). */
    fun empty() {
        val folder = view as? ViewRef.Folder ?: return
        mutable.update { it.copy(emptying = null) }
        showingErrors { app.emptyFolder(folder.id) }
    }

    fun dontEmpty() = mutable.update { it.copy(emptying = null) }

    /** Run [work] for the screen; a failure shows its error code. */
    private fun showingErrors(work: suspend () -> Unit) {
        scope.launch { orFailed({ code -> mutable.update { it.copy(errorCode = code) } }, work) }
    }

    /** The list's "hide receipts" switch. */
    fun setHideReceipts(hide: Boolean) {
        mutable.update { it.copy(hideReceipts = hide) }
        watch?.setHideReceipts(hide)
    }

    /** The next page after the rows shown. */
    fun loadMore() {
        watch?.loadMore()
    }

    /** Pull to refresh: one sync pass of the account (its changes arrive through the watch). */
    fun refresh() {
        if (state.value.refreshing) return
        mutable.update { it.copy(refreshing = true, errorCode = null) }
        scope.launch {
            val failure = try {
                app.sync(accountId, BodyDownload.SMALL, null)
                null
            } catch (e: Exception) {
                codeOf(e)
            }
            mutable.update { it.copy(refreshing = false, errorCode = failure) }
        }
    }
}
