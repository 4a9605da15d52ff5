package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import it.pec.core.InvoiceStyle
import it.pec.core.SdiNotice

/**
 * An invoice: its headline (supplier, number, total, whether a signature vouches for it), the
 * two styles, and the HTML the core rendered, drawn by [html] (a WebView on Android, with no
 * script and no network). Sharing and printing are the platform's: [onShare], [onPrint].
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun InvoiceScreen(
    state: InvoiceState,
    strings: Strings,
    onStyle: (InvoiceStyle) -> Unit,
    onShare: () -> Unit,
    onPrint: () -> Unit,
    html: @Composable (String) -> Unit,
) {
    Column(Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(16.dp).testTag("invoice")) {
        state.errorCode?.let { Text(strings.error(it), Modifier.testTag("invoice-error")) }
        val view = state.view ?: return@Column
        if (view.notification) {
            Text(strings.sdiNotification, style = MaterialTheme.typography.titleMedium, modifier = Modifier.testTag("notification"))
        }
        view.supplier?.let { Text(it, style = MaterialTheme.typography.titleLarge, modifier = Modifier.testTag("supplier")) }
        Row {
            view.number?.let { Text(strings.invoiceNumber(it), Modifier.weight(1f).testTag("number")) }
            view.total?.let { Text(strings.invoiceTotal(it), Modifier.testTag("total"), fontWeight = FontWeight.Bold) }
        }
        Text(strings.integrity(view.integrity), Modifier.testTag("integrity"))
        FlowRow {
            InvoiceStyle.entries.forEach { s ->
                FilterChip(state.style == s, { onStyle(s) }, label = { Text(strings.invoiceStyle(s)) },
                    modifier = Modifier.padding(end = 4.dp).testTag("style-${s.name.lowercase()}"))
            }
            TextButton(onShare, Modifier.testTag("share")) { Text(strings.shareOriginal) }
            TextButton(onPrint, Modifier.testTag("print")) { Text(strings.print) }
        }
        if (state.notices.isNotEmpty()) Notices(state.notices, strings)
        html(view.html)
    }
}

/** The SdI's messages about the invoice, oldest first: what each means, when, and its errors. */
@Composable
private fun Notices(notices: List<SdiNotice>, strings: Strings) {
    Column(Modifier.fillMaxWidth().padding(vertical = 8.dp).testTag("sdi-history")) {
        Text(strings.sdiHistory, style = MaterialTheme.typography.titleSmall)
        notices.forEachIndexed { i, n ->
            val what = strings.sdiMessage(n.kind) + (n.outcome?.let { ": " + strings.outcome(it) } ?: "")
            Text(what, Modifier.testTag("sdi-$i"))
            Text(n.at?.let(strings::dateTime) ?: n.`when` ?: if (n.read) n.fileName else strings.detailsAfterDownload,
                style = MaterialTheme.typography.bodySmall, modifier = Modifier.testTag("sdi-when-$i"))
            n.problems.forEach { p ->
                Text("${p.code}: ${p.description ?: ""}", style = MaterialTheme.typography.bodySmall)
            }
        }
    }
}
