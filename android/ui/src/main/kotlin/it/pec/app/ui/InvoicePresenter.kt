package it.pec.app.ui

import it.pec.core.App
import it.pec.core.InvoiceStyle
import it.pec.core.InvoiceView
import it.pec.core.SdiNotice
import it.pec.core.ui.changesFlow
import kotlinx.coroutines.flow.conflate
import it.pec.core.SharedFile
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The invoice screen: the core's rendering in the chosen style, and its headline facts. */
data class InvoiceState(
    val style: InvoiceStyle = InvoiceStyle.COMPACT,
    val view: InvoiceView? = null,
    /** What the SdI said about this invoice, oldest first (the core finds them by file name). */
    val notices: List<SdiNotice> = emptyList(),
    val errorCode: String? = null,
)

/** An invoice (or SdI notification) carried by a message, rendered by the core. */
class InvoicePresenter(private val app: App, private val scope: CoroutineScope, private val messageId: Long) {
    private val mutable = MutableStateFlow(InvoiceState())
    val state: StateFlow<InvoiceState> = mutable.asStateFlow()

    init {
        load(InvoiceStyle.COMPACT)
        // A notification arriving (a sync, a receipt) adds to the invoice's history.
        scope.launch {
            loadNotices()
            app.changesFlow().conflate().collect { loadNotices() }
        }
    }

    private suspend fun loadNotices() {
        try {
            val notices = app.invoiceNotices(messageId)
            mutable.update { it.copy(notices = notices) }
        } catch (e: Exception) {
            mutable.update { it.copy(errorCode = codeOf(e)) }
        }
    }

    /** Compact (a paper invoice) or ministerial (every section of the SdI stylesheet). */
    fun setStyle(style: InvoiceStyle) = load(style)

    /** The invoice file exactly as received (`.xml` or `.xml.p7m`), for the share sheet. */
    suspend fun original(): SharedFile = app.invoiceOriginal(messageId)

    private fun load(style: InvoiceStyle) {
        mutable.update { it.copy(style = style) }
        scope.launch {
            try {
                val view = app.invoiceHtml(messageId, style)
                mutable.update { if (it.style == style) it.copy(view = view, errorCode = null) else it }
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }
}
