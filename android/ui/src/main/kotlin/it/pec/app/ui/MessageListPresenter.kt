package it.pec.app.ui

import it.pec.core.App
import it.pec.core.ChangeKind
import it.pec.core.ListRow
import it.pec.core.PageCursor
import it.pec.core.ViewRef
import it.pec.core.ui.changesFlow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** One list (a folder, the inbox, the virtual Invoices or Receipts) as the screen draws it. */
data class MessageListState(
    val rows: List<ListRow> = emptyList(),
    val total: UInt = 0u,
    val unread: UInt = 0u,
    val hideReceipts: Boolean = false,
    /** The core has more rows after the last one. */
    val hasMore: Boolean = false,
    val loading: Boolean = true,
    val errorCode: String? = null,
)

/**
 * Pages of one view from the facade, newest first; the rows already shown are read again when the
 * core reports a change of this account (a sync, a receipt, an action). Ticks, marks and what counts
 * as a receipt come with the rows from the core.
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
    private var next: PageCursor? = null
    private val loading = Mutex()

    init {
        scope.launch {
            reload()
            app.changesFlow()
                .filter { it.accountId == null || it.accountId == accountId }
                .filter { it.kind != ChangeKind.ACCOUNTS }
                .conflate()
                .collect { reload() }
        }
    }

    /** The list's "hide receipts" switch. */
    fun setHideReceipts(hide: Boolean) {
        mutable.update { it.copy(hideReceipts = hide) }
        scope.launch { reload() }
    }

    /** The next page after the rows shown. */
    fun loadMore() {
        scope.launch {
            loading.withLock {
                val cursor = next ?: return@withLock
                load(cursor, pageSize) { old, page -> old + page }
            }
        }
    }

    /** Read again as many rows as are shown (at least one page). */
    suspend fun reload() = loading.withLock {
        val shown = maxOf(state.value.rows.size.toUInt(), pageSize)
        load(null, shown) { _, page -> page }
    }

    private suspend fun load(cursor: PageCursor?, limit: UInt, merge: (List<ListRow>, List<ListRow>) -> List<ListRow>) {
        mutable.update { it.copy(loading = true) }
        try {
            val page = app.listPageFiltered(accountId, view, cursor, limit, state.value.hideReceipts)
            next = page.next
            mutable.update {
                it.copy(rows = merge(it.rows, page.rows), total = page.total, unread = page.unread,
                    hasMore = page.next != null, loading = false, errorCode = null)
            }
        } catch (e: Exception) {
            mutable.update { it.copy(loading = false, errorCode = codeOf(e)) }
        }
    }
}
