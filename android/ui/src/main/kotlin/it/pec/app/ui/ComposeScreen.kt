package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AssistChip
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import it.pec.core.MessagePriority
import it.pec.core.QuotaLevel
import it.pec.core.RequestedReceipt

/**
 * Write a PEC: To and Cc (no Bcc: PEC has none), subject, text, attachments with the size bar;
 * [templates] (open one, save as one) above the buttons.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ComposeScreen(
    state: ComposeState,
    strings: Strings,
    presenter: ComposePresenter,
    platform: Platform? = null,
    templates: @Composable () -> Unit = {},
) {
    Column(Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(16.dp).testTag("compose")) {
        Recipients(strings.to, "to", state.to, state, strings, presenter, presenter::addTo, presenter::removeTo)
        Recipients(strings.cc, "cc", state.cc, state, strings, presenter, presenter::addCc, presenter::removeCc)
        OutlinedTextField(state.subject, presenter::setSubject, Modifier.fillMaxWidth().testTag("subject"),
            label = { Text(strings.subject) }, singleLine = true)
        OutlinedTextField(state.text, presenter::setText, Modifier.fillMaxWidth().testTag("text"),
            label = { Text(strings.body) }, minLines = 4)
        platform?.let { p ->
            TextButton({ p.pickFiles { paths -> paths.forEach(presenter::attach) } }, Modifier.testTag("attach")) {
                Text(strings.attach)
            }
        }
        state.attachments.forEach { a ->
            AssistChip(onClick = { presenter.removeAttachment(a.fileName) }, label = { Text(a.fileName) },
                modifier = Modifier.testTag("attachment-${a.fileName}"))
        }
        state.check?.let { c ->
            val used = if (c.limitBytes == 0uL) 0f else (c.totalBytes.toDouble() / c.limitBytes.toDouble()).toFloat()
            LinearProgressIndicator(progress = { used.coerceIn(0f, 1f) }, modifier = Modifier.fillMaxWidth().padding(top = 8.dp).testTag("size-bar"))
            Text(strings.size(c.totalBytes, c.limitBytes), Modifier.testTag("size"))
            c.problems.forEachIndexed { i, p ->
                Text(strings.problem(p.kind), Modifier.testTag("problem-$i"))
            }
            if (c.senderQuota == QuotaLevel.NEARLY_FULL || c.senderQuota == QuotaLevel.FULL) {
                Text(strings.receiptsMayNotArrive, Modifier.testTag("sender-quota"))
            }
        }
        FlowRow {
            RequestedReceipt.entries.forEach { r ->
                FilterChip(state.receipt == r, { presenter.setReceipt(r) }, label = { Text(strings.receipt(r)) },
                    modifier = Modifier.padding(end = 4.dp).testTag("receipt-${r.name.lowercase()}"))
            }
        }
        FlowRow {
            MessagePriority.entries.forEach { p ->
                FilterChip(state.priority == p, { presenter.setPriority(p) }, label = { Text(strings.priority(p)) },
                    modifier = Modifier.padding(end = 4.dp).testTag("priority-${p.name.lowercase()}"))
            }
        }
        templates()
        state.errorCode?.let { Text(strings.error(it), Modifier.testTag("compose-error")) }
        Row(verticalAlignment = Alignment.CenterVertically) {
            Button(presenter::send, Modifier.padding(top = 8.dp).testTag("send"), enabled = state.sendable) {
                Text(strings.send)
            }
            TextButton(presenter::saveDraft, Modifier.padding(top = 8.dp, start = 8.dp).testTag("save-draft")) {
                Text(strings.saveDraft)
            }
        }
        if (state.draftSaved) Text(strings.draftSaved, Modifier.testTag("draft-saved"))
        state.sent?.let { Text(strings.queued, Modifier.testTag("queued")) }
    }
}

@Composable
private fun Recipients(
    label: String,
    field: String,
    addresses: List<String>,
    state: ComposeState,
    strings: Strings,
    presenter: ComposePresenter,
    onAdd: (String) -> Unit,
    onRemove: (String) -> Unit,
) {
    var typed by remember { mutableStateOf("") }
    Row(verticalAlignment = Alignment.CenterVertically) {
        OutlinedTextField(typed, { typed = it; presenter.typing(field, it) }, Modifier.weight(1f).testTag("$field-input"),
            label = { Text(label) }, singleLine = true)
        TextButton(onClick = {
            if (typed.isNotBlank()) onAdd(typed)
            typed = ""
            presenter.typing(field, "")
        }, modifier = Modifier.testTag("$field-add")) { Text(strings.add) }
    }
    if (state.suggestingFor == field) {
        state.suggestions.forEach { s ->
            TextButton(onClick = { typed = ""; presenter.pick(field, s) }, modifier = Modifier.testTag("suggestion-${s.address}")) {
                Text(strings.proofMark(s.proof) + if (s.named) "${s.name} <${s.address}>" else s.address)
            }
        }
    }
    addresses.forEach { address ->
        // The core says which of its recipients this chip's text names.
        val checked = state.check?.recipients?.firstOrNull { address in it.inputs }
        val (mark, meaning) = when {
            checked == null -> "" to null
            !checked.valid -> "✗ " to strings.invalidAddress
            !checked.pec -> "⚠ " to strings.notPec
            else -> "" to null
        }
        AssistChip(
            onClick = { onRemove(address) },
            label = { Text(mark + address) },
            modifier = Modifier.testTag("$field-chip-$address").semantics { meaning?.let { contentDescription = it } },
        )
    }
}
