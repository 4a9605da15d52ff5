package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.FilterChip
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import it.pec.core.DownloadPolicy
import it.pec.core.LockPolicy

/** The lock timeout, receipts in lists, the sync interval, the download policy and each account's signature. */
@Composable
fun SettingsScreen(state: SettingsState, strings: Strings, presenter: SettingsPresenter) {
    Column(Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(16.dp).testTag("settings")) {
        state.errorCode?.let { Text(strings.error(it), Modifier.testTag("settings-error")) }
        val s = state.settings ?: return@Column
        Text(strings.lockAfter)
        Row {
            listOf(LockPolicy.Immediately, LockPolicy.AfterMinutes(1u), LockPolicy.AfterMinutes(5u),
                LockPolicy.AfterMinutes(15u), LockPolicy.Never).forEachIndexed { i, policy ->
                FilterChip(s.lock == policy, { presenter.change { it.copy(lock = policy) } },
                    label = { Text(strings.lock(policy)) }, modifier = Modifier.padding(end = 4.dp).testTag("lock-$i"))
            }
        }
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(strings.hideReceiptsByDefault, Modifier.weight(1f))
            Switch(s.hideReceipts, { on -> presenter.change { it.copy(hideReceipts = on) } }, Modifier.testTag("hide-receipts-default"))
        }
        Text(strings.syncEvery)
        Row {
            listOf(15u, 30u, 60u).forEach { m ->
                FilterChip(s.syncMinutes == m, { presenter.change { it.copy(syncMinutes = m) } },
                    label = { Text(strings.minutes(m)) }, modifier = Modifier.padding(end = 4.dp).testTag("sync-$m"))
            }
        }
        Text(strings.downloads)
        Row {
            DownloadPolicy.entries.forEach { p ->
                FilterChip(s.downloads == p, { presenter.change { it.copy(downloads = p) } },
                    label = { Text(strings.downloads(p)) },
                    modifier = Modifier.padding(end = 4.dp).testTag("downloads-${p.name.lowercase()}"))
            }
        }
        Text(strings.signature, Modifier.padding(top = 16.dp))
        state.accounts.forEach { a ->
            val written = state.signatures[a.id]
            OutlinedTextField(written ?: a.signature.orEmpty(), { presenter.writeSignature(a.id, it) },
                Modifier.fillMaxWidth().testTag("signature-${a.id}"), label = { Text(a.address) }, minLines = 2)
            if (written != null) {
                TextButton({ presenter.saveSignature(a.id) }, Modifier.testTag("signature-save-${a.id}")) { Text(strings.save) }
            }
        }
    }
}
