package it.pec.app.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AssistChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import it.pec.core.AttachmentInfo
import it.pec.core.ComposeDraft
import it.pec.core.DeniedAction
import it.pec.core.MessageAction
import it.pec.core.MessageView
import it.pec.core.SentVerdict
import it.pec.core.SignatureState
import it.pec.core.ViewRef
import kotlinx.coroutines.launch

/**
 * A message: the certified banner, the actions this login may take (one it may not is disabled,
 * with the core's reason beside it), the recipients' timeline, labels, the text and the
 * attachments with their download progress. Replies and forwards are prepared by the core and
 * handed to [onCompose]; files go to the platform (open, share).
 */
@Composable
fun MessageScreen(
    state: MessageState,
    strings: Strings,
    presenter: MessagePresenter? = null,
    platform: Platform? = null,
    onCompose: (ComposeDraft) -> Unit = {},
    onOpenInvoice: () -> Unit = {},
) {
    Column(Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(16.dp).testTag("message")) {
        state.errorCode?.let { Text(strings.error(it), Modifier.testTag("message-error")) }
        val view = state.view ?: return@Column
        Text(view.row.subject, style = MaterialTheme.typography.titleLarge, modifier = Modifier.testTag("subject"))
        Text(view.row.sender, fontWeight = FontWeight.Bold)
        Banner(view, strings)
        if (view.row.invoice) {
            TextButton(onOpenInvoice, Modifier.testTag("open-invoice")) { Text(strings.openInvoice) }
        }
        if (view.row.draft && presenter != null) {
            val ui = rememberCoroutineScope()
            TextButton({ ui.launch { presenter.resumeDraft()?.let(onCompose) } }, Modifier.testTag("edit-draft")) {
                Text(strings.editDraft)
            }
        }
        presenter?.let { Actions(state, it, strings, platform, onCompose) }
        if (view.recipients.isNotEmpty()) {
            HorizontalDivider(Modifier.padding(vertical = 8.dp))
            view.recipients.forEachIndexed { i, r ->
                Row(Modifier.fillMaxWidth().testTag("recipient-$i")) {
                    Text(r.name ?: r.address, Modifier.weight(1f), maxLines = 1, overflow = TextOverflow.Ellipsis)
                    if (view.sent != null) Text(strings.step(r.state), Modifier.testTag("step-$i"))
                }
            }
        }
        presenter?.let { Labels(view, it, strings) }
        HorizontalDivider(Modifier.padding(vertical = 8.dp))
        if (view.remoteBlocked > 0u) {
            Text(strings.remoteBlocked(view.remoteBlocked), Modifier.testTag("remote-blocked"), style = MaterialTheme.typography.bodySmall)
        }
        val html = view.html
        if (html != null && platform != null) platform.Html(html) else Text(view.bodyText ?: strings.notDownloaded, Modifier.testTag("body"))
        if (view.attachments.isNotEmpty()) {
            Text(strings.attachments, fontWeight = FontWeight.Bold, modifier = Modifier.padding(top = 8.dp))
            view.attachments.forEachIndexed { i, a -> Attachment(i, a, state, presenter, platform, strings) }
        }
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun Actions(state: MessageState, presenter: MessagePresenter, strings: Strings, platform: Platform?, onCompose: (ComposeDraft) -> Unit) {
    val ui = rememberCoroutineScope()
    var moving by remember { mutableStateOf(false) }
    val reason = { d: DeniedAction? -> d?.let { strings.denied(it.action, it.missing) } }
    val replyRefused = reason(presenter.replyRefusal())
    val buttons = listOfNotNull(
        ActionButton(strings.reply, "reply", replyRefused) { ui.launch { presenter.replyDraft(false)?.let(onCompose) } },
        ActionButton(strings.replyAll, "reply-all", replyRefused) { ui.launch { presenter.replyDraft(true)?.let(onCompose) } },
        ActionButton(strings.forward, "forward", replyRefused) { ui.launch { presenter.forwardDraft()?.let(onCompose) } },
        ActionButton(strings.markUnread, "mark-unread", reason(presenter.refusal(MessageAction.MarkUnseen))) {
            presenter.apply(MessageAction.MarkUnseen)
        },
        ActionButton(strings.delete, "delete", reason(presenter.refusal(MessageAction.Delete))) { presenter.apply(MessageAction.Delete) },
        ActionButton(strings.moveTo, "move", reason(presenter.refusal(MessageAction.MoveTo(0)))) { moving = !moving },
        platform?.let { p ->
            ActionButton(strings.exportEvidence, "evidence", null) {
                presenter.exportEvidence(p.filesDir + "/evidenza-" + state.view?.row?.id) { files -> p.shareFiles(files.map { it.path }) }
            }
        },
    )
    ActionButtons(buttons)
    if (moving) {
        state.moveTargets.forEach { target ->
            val id = (target.view as? ViewRef.Folder)?.id ?: return@forEach
            TextButton({ moving = false; presenter.apply(MessageAction.MoveTo(id)) },
                Modifier.padding(start = (16 + 16 * target.depth.toInt()).dp).testTag("move-$id")) {
                Text(strings.folder(target.kind, target.name))
            }
        }
    }
    if (state.evidence.isNotEmpty()) {
        Text(strings.evidenceWritten(state.evidence.size), Modifier.testTag("evidence-written"))
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun Labels(view: MessageView, presenter: MessagePresenter, strings: Strings) {
    val refused = presenter.refusal(MessageAction.AddLabel(""))
    FlowRow(verticalArrangement = androidx.compose.foundation.layout.Arrangement.Center) {
        view.labels.forEach { label ->
            AssistChip(
                onClick = { presenter.apply(MessageAction.RemoveLabel(label)) },
                label = { Text("$label ✕") },
                enabled = refused == null,
                modifier = Modifier.padding(end = 4.dp).testTag("label-$label"),
            )
        }
    }
    var adding by remember { mutableStateOf(false) }
    if (refused == null && !adding) {
        TextButton({ adding = true }, Modifier.testTag("label-new")) { Text(strings.addLabel) }
    }
    if (refused == null && adding) {
        var typed by remember { mutableStateOf("") }
        Row(verticalAlignment = Alignment.CenterVertically) {
            OutlinedTextField(typed, { typed = it }, Modifier.weight(1f).testTag("label-input"),
                label = { Text(strings.label) }, singleLine = true)
            TextButton({
                if (typed.isNotBlank()) presenter.apply(MessageAction.AddLabel(typed.trim()))
                typed = ""
                adding = false
            }, Modifier.testTag("label-add")) { Text(strings.add) }
        }
    }
}

@Composable
private fun Attachment(i: Int, a: AttachmentInfo, state: MessageState, presenter: MessagePresenter?, platform: Platform?, strings: Strings) {
    val file = a.section?.let { state.files[it] }
    Column(Modifier.fillMaxWidth().testTag("attachment-$i")) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Column(Modifier.weight(1f)) {
                Text(a.fileName ?: a.mime, maxLines = 2, overflow = TextOverflow.Ellipsis)
                Text(strings.fileSize(a.size), style = MaterialTheme.typography.bodySmall)
            }
            if (presenter != null && platform != null && a.section != null) {
                TextButton({ presenter.save(a, platform.filesDir) { platform.open(it) } }, Modifier.testTag("open-$i")) {
                    Text(strings.open)
                }
                TextButton({ presenter.save(a, platform.filesDir) { platform.shareFiles(listOf(it)) } }, Modifier.testTag("share-$i")) {
                    Text(strings.share)
                }
            }
        }
        if (file != null && file.path == null && file.total > 0u) {
            LinearProgressIndicator(
                progress = { (file.done.toDouble() / file.total.toDouble()).toFloat().coerceIn(0f, 1f) },
                modifier = Modifier.fillMaxWidth().testTag("progress-$i"),
            )
            Text(strings.progress(file.done, file.total), Modifier.testTag("progress-text-$i"))
        }
    }
}

/**
 * What the evidence proves, in plain words, with a colour that matches: for a received PEC its
 * provider's signature (`pec.signature.state`), for one sent from here its certified receipts
 * (`sent`); both verdicts are the core's. A tampering sign comes first.
 */
@Composable
private fun Banner(view: MessageView, strings: Strings) {
    val state = view.pec.signature.state
    val sent = view.sent
    val colour = when {
        sent?.verdict == SentVerdict.FAILED -> MaterialTheme.colorScheme.errorContainer
        sent?.verdict == SentVerdict.DELIVERED || sent?.verdict == SentVerdict.PARTLY_DELIVERED ->
            MaterialTheme.colorScheme.primaryContainer
        sent != null -> MaterialTheme.colorScheme.surfaceVariant
        state == SignatureState.VALID -> MaterialTheme.colorScheme.primaryContainer
        state == SignatureState.INVALID -> MaterialTheme.colorScheme.errorContainer
        else -> MaterialTheme.colorScheme.surfaceVariant
    }
    Column(Modifier.fillMaxWidth().padding(vertical = 8.dp).background(colour).padding(8.dp).testTag("banner")) {
        if (view.pec.headerMismatches.isNotEmpty()) {
            Text(strings.tampered, fontWeight = FontWeight.Bold, modifier = Modifier.testTag("tampered"))
        }
        val text = sent?.let(strings::sentProof) ?: strings.banner(state, view.pec.signature.provider)
        Text(text, Modifier.testTag("banner-text"))
    }
}
