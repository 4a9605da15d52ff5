package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import it.pec.core.AccountInfo
import it.pec.core.PermissionKind

/**
 * What this login may do with the mailbox: the five permissions of its delegation (everything
 * for the owner), and each action it may not take with the reason the core gives.
 */
@Composable
fun PermissionsScreen(account: AccountInfo, strings: Strings) {
    Column(Modifier.fillMaxWidth().padding(16.dp).testTag("permissions")) {
        Text(account.login, style = MaterialTheme.typography.titleMedium)
        val p = account.permissions
        listOf(
            PermissionKind.READ to p.read,
            PermissionKind.WRITE to p.write,
            PermissionKind.SEND to p.send,
            PermissionKind.MAIL_PROGRAMS to p.mailPrograms,
            PermissionKind.SETTINGS to p.settings,
        ).forEach { (kind, granted) ->
            // Read as one line by screen readers: the permission and whether it is granted.
            Row(Modifier.fillMaxWidth().semantics(mergeDescendants = true) {}.testTag("permission-${kind.name.lowercase()}")) {
                Text(strings.permission(kind), Modifier.weight(1f))
                Text(if (granted) strings.yes else strings.no)
            }
        }
        if (account.denied.isNotEmpty()) HorizontalDivider(Modifier.padding(vertical = 8.dp))
        account.denied.forEach { d ->
            Text(strings.denied(d.action, d.missing), Modifier.testTag("denied-${d.action.name.lowercase()}"))
        }
    }
}
