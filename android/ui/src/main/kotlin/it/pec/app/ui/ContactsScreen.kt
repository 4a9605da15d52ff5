package it.pec.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.foundation.lazy.rememberLazyListState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.derivedStateOf
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import it.pec.core.AddressBookInfo
import it.pec.core.ComposeDraft
import it.pec.core.ContactCard
import it.pec.core.PecProof
import it.pec.core.PersonRow
import kotlinx.coroutines.launch

/**
 * The address book: a search over names, addresses, VAT numbers and tax codes; the CardDAV books
 * with "sync now"; the people, each address with what the mail proved about it. Touching an
 * address writes to it.
 */
@Composable
fun ContactsScreen(
    state: ContactsState,
    strings: Strings,
    presenter: ContactsPresenter,
    onCompose: (ComposeDraft) -> Unit,
    onEdit: (ContactCard) -> Unit = {},
    platform: Platform? = null,
) {
    val write = { address: String -> onCompose(presenter.draftTo(address)) }
    Column(Modifier.fillMaxWidth().testTag("contacts")) {
        OutlinedTextField(state.query, presenter::setQuery, Modifier.fillMaxWidth().padding(horizontal = 16.dp).testTag("contacts-query"),
            label = { Text(strings.searchPeople) }, singleLine = true)
        Row {
            TextButton({ onEdit(presenter.newCard()) }, Modifier.padding(horizontal = 8.dp).testTag("contact-new")) { Text(strings.newContact) }
            platform?.let { p ->
                TextButton({ p.readPhoneContacts(presenter::importPhone) }, enabled = !state.busy, modifier = Modifier.testTag("contacts-phone")) {
                    Text(strings.importPhoneContacts)
                }
            }
        }
        state.phoneImport?.let { Text(strings.phoneImport(it), Modifier.padding(horizontal = 16.dp).testTag("contacts-phone-report")) }
        if (state.phoneRefused) Text(strings.phoneContactsRefused, Modifier.padding(horizontal = 16.dp).testTag("contacts-phone-refused"))
        state.errorCode?.let { Text(strings.error(it), Modifier.padding(16.dp).testTag("contacts-error")) }
        val scroll = rememberLazyListState()
        val nearEnd by rememberNearEnd(scroll)
        // Counted from a layout that already holds the people read (not one drawn before they came).
        val laidOut by remember { derivedStateOf { scroll.layoutInfo.totalItemsCount } }
        LaunchedEffect(nearEnd, laidOut, state.next, state.people?.size) {
            val read = state.people?.size ?: 0
            if (nearEnd && laidOut > read && state.next != null && state.matches == null) presenter.loadMore()
        }
        LazyColumn(Modifier.testTag("contacts-list"), state = scroll) {
            val matches = state.matches
            if (matches != null) {
                if (matches.isEmpty()) item { Text(strings.nothingFound, Modifier.padding(16.dp).testTag("contacts-nothing")) }
                items(matches) { m ->
                    AddressLine(if (m.named) m.name else null, m.address, m.proof, strings, write, m.organisation)
                }
            } else {
                books(state, strings, presenter)
                groups(state, strings, presenter, onCompose)
                people(state.people, strings, write) { onEdit(it.card) }
            }
        }
    }
}

private fun LazyListScope.books(state: ContactsState, strings: Strings, presenter: ContactsPresenter) {
    item {
        Row(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp), verticalAlignment = Alignment.CenterVertically) {
            Text(strings.addressBooks, Modifier.weight(1f), style = MaterialTheme.typography.titleSmall)
            if (state.books.isNotEmpty()) {
                TextButton(presenter::syncBooks, enabled = !state.busy, modifier = Modifier.testTag("books-sync")) { Text(strings.syncNow) }
            }
            TextButton(presenter::openForm, enabled = !state.busy, modifier = Modifier.testTag("books-add")) { Text(strings.addBook) }
        }
    }
    state.form?.let { form -> item { BookFormFields(form, state.busy, strings, presenter) } }
    items(state.books, key = { "b:${it.id}" }) { book ->
        BookLine(book, state.reports.firstOrNull { it.book.id == book.id }?.let(strings::bookReport), strings) {
            presenter.removeBook(book.id)
        }
    }
    item { HorizontalDivider() }
}

/** The groups: each one's members, "write" (a PEC to all of them), remove. */
private fun LazyListScope.groups(state: ContactsState, strings: Strings, presenter: ContactsPresenter, onCompose: (ComposeDraft) -> Unit) {
    if (state.groups.isEmpty()) return
    item { Text(strings.groups, Modifier.padding(horizontal = 16.dp, vertical = 8.dp), style = MaterialTheme.typography.titleSmall) }
    items(state.groups, key = { "g:${it.id}" }) { group ->
        val ui = rememberCoroutineScope()
        Row(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 4.dp).testTag("group-${group.name}"), verticalAlignment = Alignment.CenterVertically) {
            Column(Modifier.weight(1f)) {
                Text(group.name, style = MaterialTheme.typography.bodyLarge)
                Text(group.members.joinToString(", "), Modifier.testTag("group-members-${group.name}"), style = MaterialTheme.typography.bodySmall)
            }
            TextButton({ ui.launch { presenter.draftToGroup(group.name)?.let(onCompose) } }, Modifier.testTag("group-write-${group.name}")) {
                Text(strings.write)
            }
            TextButton({ presenter.removeGroup(group.name) }, enabled = !state.busy, modifier = Modifier.testTag("group-remove-${group.name}")) {
                Text(strings.remove)
            }
        }
    }
    item { HorizontalDivider() }
}

@Composable
private fun BookFormFields(form: BookForm, busy: Boolean, strings: Strings, presenter: ContactsPresenter) {
    Column(Modifier.padding(horizontal = 16.dp).testTag("book-form")) {
        OutlinedTextField(form.url, { v -> presenter.editForm { it.copy(url = v) } }, Modifier.fillMaxWidth().testTag("book-url"),
            label = { Text(strings.bookUrl) }, singleLine = true)
        OutlinedTextField(form.username, { v -> presenter.editForm { it.copy(username = v) } }, Modifier.fillMaxWidth().testTag("book-user"),
            label = { Text(strings.username) }, singleLine = true)
        OutlinedTextField(form.password, { v -> presenter.editForm { it.copy(password = v) } }, Modifier.fillMaxWidth().testTag("book-password"),
            label = { Text(strings.password) }, singleLine = true, visualTransformation = PasswordVisualTransformation())
        OutlinedTextField(form.caFile, { v -> presenter.editForm { it.copy(caFile = v) } }, Modifier.fillMaxWidth().testTag("book-ca-file"),
            label = { Text(strings.caFile) }, singleLine = true)
        Row {
            Button(presenter::addBook, enabled = !busy, modifier = Modifier.testTag("book-save")) {
                Text(if (busy) strings.checking else strings.checkAndAdd)
            }
            TextButton(presenter::closeForm, Modifier.testTag("book-cancel")) { Text(strings.cancel) }
        }
    }
}

@Composable
private fun BookLine(book: AddressBookInfo, report: String?, strings: Strings, onRemove: () -> Unit) {
    Row(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 4.dp).testTag("book-${book.id}"), verticalAlignment = Alignment.CenterVertically) {
        Column(Modifier.weight(1f)) {
            Text(book.name, style = MaterialTheme.typography.bodyLarge)
            Text("${book.username} · ${strings.lastSync(book.lastSync)}", style = MaterialTheme.typography.bodySmall)
            report?.let { Text(it, Modifier.testTag("book-report-${book.id}"), style = MaterialTheme.typography.bodySmall) }
        }
        TextButton(onRemove, Modifier.testTag("book-remove-${book.id}")) { Text(strings.remove) }
    }
}

private fun LazyListScope.people(people: List<PersonRow>?, strings: Strings, write: (String) -> Unit, edit: (PersonRow) -> Unit) {
    if (people == null) return
    if (people.isEmpty()) item { Text(strings.noPeople, Modifier.padding(16.dp).testTag("contacts-empty")) }
    items(people, key = { "p:" + it.key }) { p ->
        Row(Modifier.fillMaxWidth().padding(vertical = 4.dp), verticalAlignment = Alignment.Top) {
            Column(Modifier.weight(1f)) {
                val about = p.contact?.organisation ?: if (!p.saved && p.uses > 0) strings.uses(p.uses) else null
                if (p.addresses.isEmpty()) Text(p.name, Modifier.padding(horizontal = 16.dp), style = MaterialTheme.typography.bodyLarge)
                p.addresses.forEachIndexed { i, a ->
                    AddressLine(if (i == 0 && p.named) p.name else null, a.address, a.proof, strings, write, if (i == 0) about else null)
                }
            }
            val tag = "edit-" + (p.contact?.id?.toString() ?: p.addresses.firstOrNull()?.address ?: p.name)
            TextButton({ edit(p) }, Modifier.testTag(tag)) { Text(if (p.saved) strings.editContact else strings.saveAsContact) }
        }
    }
}

/** One address: its owner's name (on the first), the proof's mark and words; touching it writes to it. */
@Composable
private fun AddressLine(name: String?, address: String, proof: PecProof, strings: Strings, write: (String) -> Unit, about: String? = null) {
    Column(Modifier.fillMaxWidth().clickable { write(address) }.padding(horizontal = 16.dp, vertical = 4.dp).testTag("address-$address")) {
        name?.let { Text(it, style = MaterialTheme.typography.bodyLarge) }
        Text(strings.proofMark(proof) + address, style = MaterialTheme.typography.bodyMedium)
        about?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        strings.proof(proof).takeIf { it.isNotEmpty() }?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
    }
}
