package it.pec.app.ui

import it.pec.core.App
import it.pec.core.BodyDownload
import it.pec.core.ErrorEvent
import it.pec.core.ListListener
import it.pec.core.ListRow
import it.pec.core.ListUpdate
import it.pec.core.ListWatch
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
            it.copy(rows = it.rows.applying(update), total = c.total, unread = c.unread, hasMore = c.hasMore,
                hideReceipts = c.hideReceipts, loading = false, errorCode = null)
        }

        override fun onError(error: ErrorEvent) = mutable.update { it.copy(loading = false, errorCode = error.code) }
    }

    init {
        scope.launch {
            try {
                watch = app.watchList(accountId, view, pageSize, null, listener)
            } catch (e: Exception) {
                mutable.update { it.copy(loading = false, errorCode = codeOf(e)) }
            }
        }
        scope.coroutineContext[Job]?.invokeOnCompletion { watch?.let { it.cancel(); it.close() } }
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
