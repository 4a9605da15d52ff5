package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp

/** A contact's name, addresses, organisation, VAT number, tax code, notes, groups and book; save or remove. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ContactEditScreen(state: ContactEditState, strings: Strings, presenter: ContactEditPresenter) {
    val f = state.form
    Column(Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(16.dp).testTag("contact-edit")) {
        state.errorCode?.let { Text(strings.error(it), Modifier.testTag("contact-error")) }
        OutlinedTextField(f.name, { v -> presenter.edit { it.copy(name = v) } }, Modifier.fillMaxWidth().testTag("contact-name"),
            label = { Text(strings.contactName) }, singleLine = true)
        f.addresses.forEachIndexed { i, a ->
            Row(verticalAlignment = Alignment.CenterVertically) {
                OutlinedTextField(a, { presenter.setAddress(i, it) }, Modifier.weight(1f).testTag("contact-address-$i"),
                    label = { Text(strings.address) }, singleLine = true)
                TextButton({ presenter.removeAddress(i) }, Modifier.testTag("contact-address-remove-$i")) { Text("✕") }
            }
        }
        TextButton(presenter::addAddress, Modifier.testTag("contact-address-add")) { Text(strings.addAddress) }
        OutlinedTextField(f.organisation, { v -> presenter.edit { it.copy(organisation = v) } }, Modifier.fillMaxWidth().testTag("contact-organisation"),
            label = { Text(strings.organisation) }, singleLine = true)
        OutlinedTextField(f.vat, { v -> presenter.edit { it.copy(vat = v) } }, Modifier.fillMaxWidth().testTag("contact-vat"),
            label = { Text(strings.vatNumber) }, singleLine = true)
        OutlinedTextField(f.taxCode, { v -> presenter.edit { it.copy(taxCode = v) } }, Modifier.fillMaxWidth().testTag("contact-tax-code"),
            label = { Text(strings.taxCode) }, singleLine = true)
        OutlinedTextField(f.notes, { v -> presenter.edit { it.copy(notes = v) } }, Modifier.fillMaxWidth().testTag("contact-notes"),
            label = { Text(strings.notes) })
        Text(strings.groups, Modifier.padding(top = 8.dp))
        FlowRow {
            (state.allGroups + f.groups).distinct().forEach { g ->
                FilterChip(g in f.groups, { presenter.setMember(g, g !in f.groups) }, label = { Text(g) },
                    modifier = Modifier.padding(end = 4.dp).testTag("contact-group-$g"))
            }
        }
        Row(verticalAlignment = Alignment.CenterVertically) {
            OutlinedTextField(f.newGroup, { v -> presenter.edit { it.copy(newGroup = v) } }, Modifier.weight(1f).testTag("contact-new-group"),
                label = { Text(strings.newGroup) }, singleLine = true)
            TextButton(presenter::addGroup, Modifier.testTag("contact-add-group")) { Text(strings.add) }
        }
        if (state.books.isNotEmpty()) {
            Text(strings.keptIn, Modifier.padding(top = 8.dp))
            FlowRow {
                FilterChip(f.book == null, { presenter.edit { it.copy(book = null) } }, label = { Text(strings.thisDeviceOnly) },
                    modifier = Modifier.padding(end = 4.dp).testTag("contact-book-none"))
                state.books.forEach { b ->
                    FilterChip(f.book == b.id, { presenter.edit { it.copy(book = b.id) } }, label = { Text(b.name) },
                        modifier = Modifier.padding(end = 4.dp).testTag("contact-book-${b.id}"))
                }
            }
        }
        Row(Modifier.padding(top = 8.dp)) {
            Button(presenter::save, enabled = !state.busy, modifier = Modifier.testTag("contact-save")) { Text(strings.save) }
            if (state.id != null) {
                TextButton(presenter::remove, enabled = !state.busy, modifier = Modifier.testTag("contact-remove")) { Text(strings.remove) }
            }
        }
    }
}
