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
import androidx.compose.ui.unit.dp
import it.pec.core.AccountAction
import it.pec.core.AttachmentInfo
import it.pec.core.ComposeDraft
import it.pec.core.MessageAction
import it.pec.core.MessageView
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
        presenter?.let { Actions(state, it, strings, platform, onCompose) }
        if (view.recipients.isNotEmpty()) {
            HorizontalDivider(Modifier.padding(vertical = 8.dp))
            view.recipients.forEachIndexed { i, r ->
                Row(Modifier.fillMaxWidth().testTag("recipient-$i")) {
                    Text(r.name ?: r.address, Modifier.weight(1f))
                    Text(strings.step(r.state), Modifier.testTag("step-$i"))
                }
            }
        }
        presenter?.let { Labels(view, it, strings) }
        HorizontalDivider(Modifier.padding(vertical = 8.dp))
        Text(view.bodyText ?: strings.notDownloaded, Modifier.testTag("body"))
        if (view.attachments.isNotEmpty()) {
            Text(strings.attachments, fontWeight = FontWeight.Bold, modifier = Modifier.padding(top = 8.dp))
            view.attachments.forEachIndexed { i, a -> Attachment(i, a, state, presenter, platform, strings) }
        }
    }
}

/** One action: a button, disabled with the core's reason when this login may not take it. */
@Composable
private fun Action(label: String, tag: String, refused: String?, onClick: () -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        TextButton(onClick, Modifier.testTag(tag), enabled = refused == null) { Text(label) }
        refused?.let { Text(it, Modifier.testTag("$tag-refused")) }
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun Actions(state: MessageState, presenter: MessagePresenter, strings: Strings, platform: Platform?, onCompose: (ComposeDraft) -> Unit) {
    val ui = rememberCoroutineScope()
    val sendRefused = state.account?.denied?.firstOrNull { it.action == AccountAction.SEND }
        ?.let { strings.denied(it.action, it.missing) }
    FlowRow {
        Action(strings.reply, "reply", sendRefused) { ui.launch { presenter.replyDraft(false)?.let(onCompose) } }
        Action(strings.replyAll, "reply-all", sendRefused) { ui.launch { presenter.replyDraft(true)?.let(onCompose) } }
        Action(strings.forward, "forward", sendRefused) { ui.launch { presenter.forwardDraft()?.let(onCompose) } }
    }
    listOf(
        Triple(MessageAction.MarkUnseen, strings.markUnread, "mark-unread"),
        Triple(MessageAction.Delete, strings.delete, "delete"),
    ).forEach { (action, label, tag) ->
        val refused = presenter.refusal(action)?.let { strings.denied(it.action, it.missing) }
        Action(label, tag, refused) { presenter.apply(action) }
    }
    var moving by remember { mutableStateOf(false) }
    val moveRefused = presenter.refusal(MessageAction.MoveTo(0))?.let { strings.denied(it.action, it.missing) }
    Action(strings.moveTo, "move", moveRefused) { moving = !moving }
    if (moving) {
        state.moveTargets.forEach { target ->
            val id = (target.view as? ViewRef.Folder)?.id ?: return@forEach
            TextButton({ moving = false; presenter.apply(MessageAction.MoveTo(id)) },
                Modifier.padding(start = (16 + 16 * target.depth.toInt()).dp).testTag("move-$id")) {
                Text(strings.folder(target.kind, target.name))
            }
        }
    }
    if (platform != null) {
        Action(strings.exportEvidence, "evidence", null) {
            presenter.exportEvidence(platform.filesDir + "/evidenza-" + state.view?.row?.id) { files ->
                platform.shareFiles(files.map { it.path })
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
    if (refused == null) {
        var typed by remember { mutableStateOf("") }
        Row(verticalAlignment = Alignment.CenterVertically) {
            OutlinedTextField(typed, { typed = it }, Modifier.weight(1f).testTag("label-input"),
                label = { Text(strings.label) }, singleLine = true)
            TextButton({
                if (typed.isNotBlank()) presenter.apply(MessageAction.AddLabel(typed.trim()))
                typed = ""
            }, Modifier.testTag("label-add")) { Text(strings.add) }
        }
    }
}

@Composable
private fun Attachment(i: Int, a: AttachmentInfo, state: MessageState, presenter: MessagePresenter?, platform: Platform?, strings: Strings) {
    val file = a.section?.let { state.files[it] }
    Column(Modifier.fillMaxWidth().testTag("attachment-$i")) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(a.fileName ?: a.mime, Modifier.weight(1f))
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
