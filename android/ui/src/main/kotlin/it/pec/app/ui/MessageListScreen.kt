package it.pec.app.ui

import androidx.compose.foundation.ExperimentalFoundationApi
import androidx.compose.foundation.clickable
import androidx.compose.foundation.combinedClickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListState
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.lazy.rememberLazyListState
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.State
import androidx.compose.runtime.derivedStateOf
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.selected
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import it.pec.core.DeliveryMark
import it.pec.core.ListRow
import it.pec.core.MessageAction
import it.pec.core.ViewRef
import it.pec.core.emptyFolderNeeds

/** The mark a sent message shows (✓ accepted, ✓✓ delivered, ✗ failed) and what it means in words. */
fun deliveryMark(row: ListRow, strings: Strings): Pair<String, String>? = when {
    row.delivery == DeliveryMark.FAILED -> "✗" to strings.failed
    row.ticks == 2.toUByte() -> "✓✓" to strings.delivered
    row.ticks == 1.toUByte() -> "✓" to strings.accepted
    row.delivery == DeliveryMark.SENT -> "·" to strings.waiting
    else -> null
}

/**
 * A list of messages, newest first, with the "hide receipts" switch. A long press chooses a row
 * ([onSelect]); while rows are chosen a tap chooses or leaves out, and [selectionBar] replaces
 * the switch. [listActions] go under the switch (emptying the trash).
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun MessageListScreen(
    state: MessageListState,
    strings: Strings,
    onHideReceipts: (Boolean) -> Unit,
    onOpen: (Long) -> Unit,
    onLoadMore: () -> Unit,
    onRefresh: () -> Unit = {},
    onSelect: (Long) -> Unit = {},
    selectionBar: @Composable () -> Unit = {},
    onMarkAllRead: (() -> Unit)? = null,
    listActions: @Composable () -> Unit = {},
) {
    val selecting = state.selected.isNotEmpty()
    Column(Modifier.fillMaxWidth().testTag("message-list")) {
        if (selecting) {
            selectionBar()
        } else {
            Row(Modifier.fillMaxWidth().padding(horizontal = 16.dp), verticalAlignment = Alignment.CenterVertically) {
                Text(strings.hideReceipts, Modifier.weight(1f))
                Switch(state.hideReceipts, onHideReceipts, Modifier.testTag("hide-receipts"))
            }
            if (onMarkAllRead != null && state.unread > 0u && state.account?.refusal(MessageAction.MarkSeen) == null) {
                TextButton(onMarkAllRead, Modifier.padding(horizontal = 8.dp).testTag("mark-all-read")) { Text(strings.markAllRead) }
            }
            listActions()
        }
        state.errorCode?.let { Text(strings.error(it), Modifier.padding(16.dp).testTag("list-error")) }
        if (!state.loading && state.rows.isEmpty()) {
            Text(strings.emptyList, Modifier.padding(16.dp).testTag("empty"))
        }
        val scroll = rememberLazyListState()
        val nearEnd by rememberNearEnd(scroll)
        LaunchedEffect(nearEnd, state.hasMore, state.rows.size) { if (nearEnd && state.hasMore) onLoadMore() }
        PullToRefreshBox(state.refreshing, onRefresh, Modifier.testTag("refresh")) {
            LazyColumn(state = scroll) {
                items(state.rows, key = { it.id }) { row ->
                    if (selecting) MessageLine(row, strings, onSelect, chosen = row.id in state.selected, onLongPress = onSelect)
                    else MessageLine(row, strings, onOpen, onLongPress = onSelect)
                }
                if (state.hasMore) {
                    item { TextButton(onLoadMore, Modifier.testTag("load-more")) { Text(strings.loadMore) } }
                }
            }
        }
    }
}

/** The bar over a list while rows are chosen: how many, the actions on all of them (each disabled with the core's reason), cancel. */
@Composable
fun SelectionBar(state: MessageListState, strings: Strings, presenter: MessageListPresenter) {
    val reason = { a: MessageAction -> presenter.refusal(a)?.let { strings.denied(it.action, it.missing) } }
    Column(Modifier.fillMaxWidth().padding(horizontal = 8.dp).testTag("selection")) {
        Text(strings.selected(state.selected.size), Modifier.padding(horizontal = 8.dp).testTag("selection-count"),
            style = MaterialTheme.typography.titleSmall)
        ActionButtons(listOf(
            ActionButton(strings.markRead, "selection-read", reason(MessageAction.MarkSeen)) { presenter.applyToSelected(MessageAction.MarkSeen) },
            ActionButton(strings.markUnread, "selection-unread", reason(MessageAction.MarkUnseen)) { presenter.applyToSelected(MessageAction.MarkUnseen) },
            ActionButton(strings.delete, "selection-delete", reason(MessageAction.Delete)) { presenter.applyToSelected(MessageAction.Delete) },
            ActionButton(strings.moveTo, "selection-move", reason(MessageAction.MoveTo(0)), presenter::toggleMoveTargets),
            ActionButton(strings.cancel, "selection-cancel", null, presenter::clearSelection),
        ))
        state.moveTargets?.forEach { target ->
            val id = (target.view as? ViewRef.Folder)?.id ?: return@forEach
            TextButton({ presenter.applyToSelected(MessageAction.MoveTo(id)) },
                Modifier.padding(start = (16 + 16 * target.depth.toInt()).dp).testTag("selection-move-$id")) {
                Text(strings.folder(target.kind, target.name))
            }
        }
    }
}

/**
 * One row of a list of messages (also the search's). [chosen]: while rows are being chosen,
 * whether this one is (a check box shows it); a long press calls [onLongPress].
 */
@OptIn(ExperimentalFoundationApi::class)
@Composable
fun MessageLine(row: ListRow, strings: Strings, onOpen: (Long) -> Unit, chosen: Boolean? = null, onLongPress: ((Long) -> Unit)? = null) {
    val weight = if (row.seen) FontWeight.Normal else FontWeight.Bold
    // A receipt is named by its kind (the provider's address says nothing), a sent PEC by its
    // recipient (the sender is the user), anything else by its sender.
    val who = row.receiptType?.let(strings::receiptKind)
        ?: row.to?.let { strings.toWhom(it, row.recipientCount) }
        ?: row.sender
    val touch = if (onLongPress != null) Modifier.combinedClickable(onLongClick = { onLongPress(row.id) }) { onOpen(row.id) }
    else Modifier.clickable { onOpen(row.id) }
    Column(Modifier.fillMaxWidth().then(touch).padding(horizontal = 16.dp, vertical = 8.dp).testTag("row-${row.id}")
        .semantics { if (chosen != null) selected = chosen }) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            if (chosen != null) Text(if (chosen) "☑" else "☐", Modifier.padding(end = 8.dp).testTag("chosen-${row.id}"))
            Text(who, Modifier.weight(1f), fontWeight = weight, maxLines = 1, overflow = TextOverflow.Ellipsis)
            Text(strings.listDate(row.date), style = MaterialTheme.typography.bodySmall, modifier = Modifier.testTag("date-${row.id}"))
        }
        Row(verticalAlignment = Alignment.CenterVertically) {
            if (row.invoice) {
                Text(strings.invoiceMark, Modifier.padding(end = 6.dp), color = MaterialTheme.colorScheme.primary,
                    style = MaterialTheme.typography.labelMedium)
            }
            Text(row.subject, Modifier.weight(1f), fontWeight = weight, maxLines = 1, overflow = TextOverflow.Ellipsis,
                style = MaterialTheme.typography.bodyMedium)
            deliveryMark(row, strings)?.let { (mark, meaning) ->
                Text(mark, Modifier.padding(start = 6.dp).semantics { contentDescription = meaning }.testTag("mark-${row.id}"),
                    color = MaterialTheme.colorScheme.primary)
            }
        }
        row.preview?.takeIf { it.isNotBlank() }?.let {
            Text(it, maxLines = 1, overflow = TextOverflow.Ellipsis, style = MaterialTheme.typography.bodySmall)
        }
    }
    HorizontalDivider()
}

/**
 * Whether the last item shown is within ten of the list's end: a paged list asks for its next
 * page then, before the user reaches the end, so scrolling never stops.
 */
@Composable
fun rememberNearEnd(scroll: LazyListState): State<Boolean> = remember(scroll) {
    derivedStateOf {
        val last = scroll.layoutInfo.visibleItemsInfo.lastOrNull()?.index ?: 0
        last >= scroll.layoutInfo.totalItemsCount - 10
    }
}

/**
 * "Empty" over a list of the trash or the junk folder (when the core says it may be emptied),
 * disabled with the core's reason for a delegate; the question before it says what goes for good.
 */
@Composable
fun EmptyFolder(state: MessageListState, strings: Strings, presenter: MessageListPresenter) {
    if (!state.emptiable) return
    val refused = state.account?.refusal(emptyFolderNeeds())?.let { strings.denied(it.action, it.missing) }
    ActionButtons(listOf(ActionButton(strings.emptyFolder, "empty-folder", refused, presenter::askToEmpty)))
    val emptying = state.emptying ?: return
    AlertDialog(
        onDismissRequest = presenter::dontEmpty,
        title = { Text(strings.emptyFolderTitle) },
        text = { Text(strings.emptyFolderQuestion(emptying), Modifier.testTag("empty-question")) },
        confirmButton = { TextButton(presenter::empty, Modifier.testTag("empty-confirm")) { Text(strings.deleteForGood) } },
        dismissButton = { TextButton(presenter::dontEmpty, Modifier.testTag("empty-cancel")) { Text(strings.cancel) } },
    )
}
