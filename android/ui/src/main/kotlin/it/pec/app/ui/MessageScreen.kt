package it.pec.app.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import it.pec.core.MessageAction
import it.pec.core.MessageView
import it.pec.core.SignatureState

/**
 * A message: the certified banner, the recipients' timeline, the text and the attachments, and the
 * actions this login may take; one it may not is disabled, with the core's reason beside it.
 */
@Composable
fun MessageScreen(state: MessageState, strings: Strings, presenter: MessagePresenter? = null) {
    Column(Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(16.dp).testTag("message")) {
        state.errorCode?.let { Text(strings.error(it), Modifier.testTag("message-error")) }
        val view = state.view ?: return@Column
        Text(view.row.subject, style = MaterialTheme.typography.titleLarge, modifier = Modifier.testTag("subject"))
        Text(view.row.sender, fontWeight = FontWeight.Bold)
        Banner(view, strings)
        presenter?.let { Actions(it, strings) }
        if (view.recipients.isNotEmpty()) {
            HorizontalDivider(Modifier.padding(vertical = 8.dp))
            view.recipients.forEachIndexed { i, r ->
                Row(Modifier.fillMaxWidth().testTag("recipient-$i")) {
                    Text(r.name ?: r.address, Modifier.weight(1f))
                    Text(strings.step(r.state), Modifier.testTag("step-$i"))
                }
            }
        }
        HorizontalDivider(Modifier.padding(vertical = 8.dp))
        Text(view.bodyText ?: strings.notDownloaded, Modifier.testTag("body"))
        if (view.attachments.isNotEmpty()) {
            Text(strings.attachments, fontWeight = FontWeight.Bold, modifier = Modifier.padding(top = 8.dp))
            view.attachments.forEachIndexed { i, a ->
                Text(a.fileName ?: a.mime, Modifier.testTag("attachment-$i"))
            }
        }
    }
}

@Composable
private fun Actions(presenter: MessagePresenter, strings: Strings) {
    listOf(
        Triple(MessageAction.MarkUnseen, strings.markUnread, "mark-unread"),
        Triple(MessageAction.Delete, strings.delete, "delete"),
    ).forEach { (action, label, tag) ->
        val refused = presenter.refusal(action)
        Row(verticalAlignment = Alignment.CenterVertically) {
            TextButton({ presenter.apply(action) }, Modifier.testTag(tag), enabled = refused == null) { Text(label) }
            refused?.let { Text(strings.denied(it.action, it.missing), Modifier.testTag("$tag-refused")) }
        }
    }
}

/**
 * What the provider's signature proves, in plain words, with a colour that matches: the verdict
 * is the core's (`pec.signature.state`, `pec.certified`); a tampering sign comes first.
 */
@Composable
private fun Banner(view: MessageView, strings: Strings) {
    val state = view.pec.signature.state
    val colour = when (state) {
        SignatureState.VALID -> MaterialTheme.colorScheme.primaryContainer
        SignatureState.INVALID -> MaterialTheme.colorScheme.errorContainer
        else -> MaterialTheme.colorScheme.surfaceVariant
    }
    Column(Modifier.fillMaxWidth().padding(vertical = 8.dp).background(colour).padding(8.dp).testTag("banner")) {
        if (view.pec.headerMismatches.isNotEmpty()) {
            Text(strings.tampered, fontWeight = FontWeight.Bold, modifier = Modifier.testTag("tampered"))
        }
        Text(strings.banner(state, view.pec.signature.provider), Modifier.testTag("banner-text"))
    }
}
