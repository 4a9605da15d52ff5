package it.pec.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListState
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.lazy.rememberLazyListState
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
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import it.pec.core.DeliveryMark
import it.pec.core.ListRow

/** The mark a sent message shows (✓ accepted, ✓✓ delivered, ✗ failed) and what it means in words. */
fun deliveryMark(row: ListRow, strings: Strings): Pair<String, String>? = when {
    row.delivery == DeliveryMark.FAILED -> "✗" to strings.failed
    row.ticks == 2.toUByte() -> "✓✓" to strings.delivered
    row.ticks == 1.toUByte() -> "✓" to strings.accepted
    row.delivery == DeliveryMark.SENT -> "·" to strings.waiting
    else -> null
}

/** A list of messages, newest first, with the "hide receipts" switch. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun MessageListScreen(
    state: MessageListState,
    strings: Strings,
    onHideReceipts: (Boolean) -> Unit,
    onOpen: (Long) -> Unit,
    onLoadMore: () -> Unit,
    onRefresh: () -> Unit = {},
) {
    Column(Modifier.fillMaxWidth().testTag("message-list")) {
        Row(Modifier.fillMaxWidth().padding(horizontal = 16.dp), verticalAlignment = Alignment.CenterVertically) {
            Text(strings.hideReceipts, Modifier.weight(1f))
            Switch(state.hideReceipts, onHideReceipts, Modifier.testTag("hide-receipts"))
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
                items(state.rows, key = { it.id }) { row -> MessageLine(row, strings, onOpen) }
                if (state.hasMore) {
                    item { TextButton(onLoadMore, Modifier.testTag("load-more")) { Text(strings.loadMore) } }
                }
            }
        }
    }
}

/** One row of a list of messages (also the search's). */
@Composable
fun MessageLine(row: ListRow, strings: Strings, onOpen: (Long) -> Unit) {
    val weight = if (row.seen) FontWeight.Normal else FontWeight.Bold
    // A receipt is named by its kind (the provider's address says nothing), a sent PEC by its
    // recipient (the sender is the user), anything else by its sender.
    val who = row.receiptType?.let(strings::receiptKind)
        ?: row.to?.let { strings.toWhom(it, row.recipientCount) }
        ?: row.sender
    Column(Modifier.fillMaxWidth().clickable { onOpen(row.id) }.padding(horizontal = 16.dp, vertical = 8.dp).testTag("row-${row.id}")) {
        Row(verticalAlignment = Alignment.CenterVertically) {
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
