package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import it.pec.core.Permissions
import it.pec.core.Provider

/** The add-account form: provider presets, servers for a custom one, a delegated login. */
@Composable
fun AccountSetupScreen(state: AccountSetupState, strings: Strings, presenter: AccountSetupPresenter) {
    Column(Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(16.dp).testTag("account-setup")) {
        OutlinedTextField(state.address, presenter::setAddress, Modifier.fillMaxWidth().testTag("address"),
            label = { Text(strings.address) }, singleLine = true)
        OutlinedTextField(state.password, presenter::setPassword, Modifier.fillMaxWidth().testTag("password"),
            label = { Text(strings.password) }, singleLine = true, visualTransformation = PasswordVisualTransformation())
        Text(strings.provider, Modifier.padding(top = 8.dp))
        Column {
            state.presets.forEach { preset ->
                FilterChip(
                    selected = preset.provider == state.provider,
                    onClick = { presenter.pickProvider(preset.provider) },
                    label = { Text(preset.name) },
                    modifier = Modifier.testTag("provider-${preset.provider.name.lowercase()}"),
                )
            }
        }
        val preset = state.preset
        if (preset != null && preset.provider != Provider.CUSTOM && preset.source == null) {
            Text(strings.unconfirmedServers, Modifier.testTag("unconfirmed"))
        }
        if (state.provider == Provider.CUSTOM) {
            OutlinedTextField(state.imap, presenter::setImap, Modifier.fillMaxWidth().testTag("imap"),
                label = { Text(strings.imapServer) }, singleLine = true)
            OutlinedTextField(state.smtp, presenter::setSmtp, Modifier.fillMaxWidth().testTag("smtp"),
                label = { Text(strings.smtpServer) }, singleLine = true)
            OutlinedTextField(state.caFile, presenter::setCaFile, Modifier.fillMaxWidth().testTag("ca-file"),
                label = { Text(strings.caFile) }, singleLine = true)
        }
        OutlinedTextField(state.delegateLogin, presenter::setDelegateLogin, Modifier.fillMaxWidth().testTag("delegate"),
            label = { Text(strings.delegateLogin) }, singleLine = true)
        if (state.delegateLogin.isNotBlank()) {
            PermissionBoxes(state.delegatePermissions, strings, presenter::setDelegatePermissions)
        }
        state.errorCode?.let { Text(strings.error(it), Modifier.padding(vertical = 8.dp).testTag("setup-error")) }
        Button(presenter::submit, Modifier.padding(top = 8.dp).testTag("check-and-add"), enabled = !state.checking) {
            Text(if (state.checking) strings.checking else strings.checkAndAdd)
        }
    }
}

@Composable
private fun PermissionBoxes(p: Permissions, strings: Strings, onChange: (Permissions) -> Unit) {
    val boxes = listOf(
        Triple(strings.permRead, p.read) { on: Boolean -> p.copy(read = on) },
        Triple(strings.permWrite, p.write) { on: Boolean -> p.copy(write = on) },
        Triple(strings.permSend, p.send) { on: Boolean -> p.copy(send = on) },
        Triple(strings.permMailPrograms, p.mailPrograms) { on: Boolean -> p.copy(mailPrograms = on) },
        Triple(strings.permSettings, p.settings) { on: Boolean -> p.copy(settings = on) },
    )
    boxes.forEachIndexed { i, (label, checked, with) ->
        Row(verticalAlignment = Alignment.CenterVertically) {
            Checkbox(checked, { onChange(with(it)) }, Modifier.testTag("perm-$i"))
            Text(label)
        }
    }
}
