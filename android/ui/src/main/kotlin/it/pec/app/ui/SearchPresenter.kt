package it.pec.app.ui

import it.pec.core.App
import it.pec.core.ListRow
import it.pec.core.SearchFilters
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** How far back a search looks. */
enum class SearchPeriod(val days: Long?) { WEEK(7), MONTH(31), YEAR(366), ALWAYS(null) }

/** The search form as typed, and what the core found. */
data class SearchState(
    /** Words anywhere (subject, text, addresses), in the search box's syntax. */
    val text: String = "",
    val from: String = "",
    val to: String = "",
    val subject: String = "",
    val period: SearchPeriod = SearchPeriod.ALWAYS,
    /** Only in the folder the search was opened from (when there is one). */
    val inFolder: Boolean = false,
    val results: List<ListRow>? = null,
    val searching: Boolean = false,
    val errorCode: String? = null,
) {
    val empty: Boolean get() = text.isBlank() && from.isBlank() && to.isBlank() && subject.isBlank()
}

/**
 * Search with the filters sender, recipient, subject, content, period and folder. The core
 * searches (its full-text index and the search box's syntax); each change searches again, a
 * moment after the last keystroke.
 */
class SearchPresenter(
    private val app: App,
    private val scope: CoroutineScope,
    private val accountId: Long,
    /** The folder the search was opened from, for "only in this folder". */
    val folderId: Long?,
    private val now: () -> Long = { System.currentTimeMillis() / 1000 },
) {
    private val mutable = MutableStateFlow(SearchState())
    val state: StateFlow<SearchState> = mutable.asStateFlow()
    private var running: Job? = null

    fun setText(text: String) = edit { it.copy(text = text) }
    fun setFrom(from: String) = edit { it.copy(from = from) }
    fun setTo(to: String) = edit { it.copy(to = to) }
    fun setSubject(subject: String) = edit { it.copy(subject = subject) }
    fun setPeriod(period: SearchPeriod) = edit { it.copy(period = period) }
    fun setInFolder(only: Boolean) = edit { it.copy(inFolder = only && folderId != null) }

    private fun edit(change: (SearchState) -> SearchState) {
        mutable.update(change)
        running?.cancel()
        val s = state.value
        if (s.empty) {
            mutable.update { it.copy(results = null, searching = false) }
            return
        }
        running = scope.launch {
            delay(250)
            mutable.update { it.copy(searching = true) }
            try {
                val rows = app.search(accountId, filters(s))
                mutable.update { if (it.copy(results = null, searching = false, errorCode = null) == s.copy(results = null, searching = false, errorCode = null)) it.copy(results = rows, searching = false, errorCode = null) else it }
            } catch (e: Exception) {
                mutable.update { it.copy(searching = false, errorCode = codeOf(e)) }
            }
        }
    }

    private fun filters(s: SearchState) = SearchFilters(
        text = s.text.trim(),
        from = s.from.trim().ifEmpty { null },
        to = s.to.trim().ifEmpty { null },
        subject = s.subject.trim().ifEmpty { null },
        after = s.period.days?.let { now() - it * 86_400 },
        before = null,
        folderId = if (s.inFolder) folderId else null,
        hideReceipts = false,
        invoicesOnly = false,
        limit = 200u,
    )
}
