package it.pec.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import it.pec.core.MenuEntry
import it.pec.core.ViewRef

/** The name a menu line shows: the virtual folders' in the user's language, else the folder's. */
fun menuLabel(entry: MenuEntry, strings: Strings): String = when (entry.view) {
    ViewRef.Invoices -> strings.invoicesFolder
    ViewRef.Receipts -> strings.receiptsFolder
    ViewRef.Undelivered -> strings.undeliveredFolder
    else -> strings.folder(entry.kind, entry.name)
}

/** The ☰ drawer: accounts, then the selected account's folders with their unread counts. */
@Composable
fun DrawerScreen(
    state: DrawerState,
    strings: Strings,
    onSelectAccount: (Long) -> Unit,
    onOpen: (ViewRef) -> Unit,
    onLink: (Screen) -> Unit = {},
) {
    Column(Modifier.fillMaxWidth().testTag("drawer")) {
        if (state.accounts.isEmpty()) {
            Text(strings.noAccounts, Modifier.padding(16.dp))
        }
        state.accounts.forEach { account ->
            val selected = account.id == state.selected
            Text(
                account.displayName ?: account.address,
                Modifier.fillMaxWidth().clickable { onSelectAccount(account.id) }
                    .padding(horizontal = 16.dp, vertical = 8.dp).testTag("account-${account.id}"),
                fontWeight = if (selected) FontWeight.Bold else FontWeight.Normal,
            )
        }
        HorizontalDivider()
        state.errorCode?.let { Text(strings.error(it), Modifier.padding(16.dp).testTag("drawer-error")) }
        LazyColumn(Modifier.weight(1f, fill = false)) {
            itemsIndexed(state.entries) { index, entry ->
                // The labels follow the folders, under their own heading.
                if (entry.view is ViewRef.Label && state.entries.getOrNull(index - 1)?.view !is ViewRef.Label) {
                    Text(strings.labels, Modifier.padding(start = 16.dp, top = 12.dp, bottom = 4.dp).testTag("labels-heading"),
                        style = MaterialTheme.typography.titleSmall)
                }
                MenuLine(entry, index, strings, onOpen)
            }
        }
        HorizontalDivider()
        val account = state.accounts.firstOrNull { it.id == state.selected }
        val used = account?.quotaUsedKb
        val limit = account?.quotaLimitKb
        if (used != null && limit != null && limit > 0uL) {
            LinearProgressIndicator(
                progress = { (used.toDouble() / limit.toDouble()).toFloat().coerceIn(0f, 1f) },
                modifier = Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 4.dp),
            )
            Text(strings.quota(used, limit), Modifier.padding(horizontal = 16.dp).testTag("quota"),
                style = MaterialTheme.typography.bodySmall)
        }
        account?.let { strings.quotaWarning(it.quota) }?.let { warning ->
            Text(warning, Modifier.padding(horizontal = 16.dp, vertical = 4.dp).testTag("quota-warning"),
                color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall)
        }
        val links = listOfNotNull(
            account?.let { Triple(strings.contacts, "link-contacts", Screen.Contacts(it.id)) },
            Triple(strings.settings, "link-settings", Screen.Settings),
            Triple(strings.addAccount, "link-add-account", Screen.AddAccount),
            account?.let { Triple(strings.permissions, "link-permissions", Screen.Permissions(it.id)) },
        )
        links.forEach { (label, tag, screen) ->
            Text(label, Modifier.fillMaxWidth().clickable { onLink(screen) }
                .padding(horizontal = 16.dp, vertical = 10.dp).testTag(tag))
        }
    }
}

@Composable
private fun MenuLine(entry: MenuEntry, index: Int, strings: Strings, onOpen: (ViewRef) -> Unit) {
    val label = menuLabel(entry, strings)
    Row(
        Modifier.fillMaxWidth().clickable { onOpen(entry.view) }
            .padding(start = (16 + 16 * entry.depth.toInt()).dp, end = 16.dp, top = 10.dp, bottom = 10.dp)
            .testTag("menu-$index"),
    ) {
        Text(label, Modifier.weight(1f), style = MaterialTheme.typography.bodyLarge)
        if (entry.unread > 0u) {
            Text(
                entry.unread.toString(),
                Modifier.semantics { contentDescription = strings.unread(entry.unread) }.testTag("unread-$index"),
                fontWeight = FontWeight.Bold,
            )
        }
        if (entry.unreadBelow > 0u) {
            Text(
                "+${entry.unreadBelow}",
                Modifier.padding(start = 4.dp)
                    .semantics { contentDescription = strings.unreadBelow(entry.unreadBelow) }
                    .testTag("unread-below-$index"),
            )
        }
    }
}
