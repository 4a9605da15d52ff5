package it.pec.app.ui

import it.pec.core.AddressBookInfo
import it.pec.core.App
import it.pec.core.ContactCard
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The contact form as typed: one field per address, the book it is kept in (`null`: this device). */
data class ContactForm(
    val name: String = "",
    val addresses: List<String> = listOf(""),
    val organisation: String = "",
    val vat: String = "",
    val taxCode: String = "",
    val notes: String = "",
    val book: Long? = null,
    /** The groups (recipient lists) it is in; a name not yet a group becomes one on save. */
    val groups: List<String> = emptyList(),
    /** A new group's name as typed. */
    val newGroup: String = "",
)

data class ContactEditState(
    val form: ContactForm,
    /** Set for a saved contact (it may be removed). */
    val id: Long? = null,
    val books: List<AddressBookInfo> = emptyList(),
    /** Every group's name, to put the contact in. */
    val allGroups: List<String> = emptyList(),
    val busy: Boolean = false,
    /** Saved or removed: the screen closes. */
    val done: Boolean = false,
    val errorCode: String? = null,
)

/**
 * A contact written or changed: the core checks and tidies it (a name, real addresses, one-line
 * fields) and keeps it, in a CardDAV book when one is chosen (the next sync uploads it).
 */
class ContactEditPresenter(private val app: App, private val scope: CoroutineScope, start: ContactCard) {
    private val card = start
    private val mutable = MutableStateFlow(
        ContactEditState(
            form = ContactForm(
                name = start.name,
                addresses = start.addresses.ifEmpty { listOf("") },
                organisation = start.organisation.orEmpty(),
                vat = start.vat.orEmpty(),
                taxCode = start.taxCode.orEmpty(),
                notes = start.notes.orEmpty(),
                book = start.book,
                groups = start.groups,
            ),
            id = start.id,
        ),
    )
    val state: StateFlow<ContactEditState> = mutable.asStateFlow()

    init {
        scope.launch {
            try {
                val books = app.addressBooks()
                val groups = app.groups().map { it.name }
                mutable.update { it.copy(books = books, allGroups = groups) }
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }

    fun edit(change: (ContactForm) -> ContactForm) = mutable.update { it.copy(form = change(it.form), errorCode = null) }
    fun setAddress(index: Int, value: String) = edit { f -> f.copy(addresses = f.addresses.mapIndexed { i, a -> if (i == index) value else a }) }
    fun addAddress() = edit { it.copy(addresses = it.addresses + "") }
    fun setMember(group: String, member: Boolean) = edit { f ->
        f.copy(groups = if (member) (f.groups + group).distinct() else f.groups - group)
    }

    /** The typed name joins the contact's groups (the core creates the group on save). */
    fun addGroup() = edit { f ->
        val name = f.newGroup.trim()
        if (name.isEmpty()) f else f.copy(groups = (f.groups + name).distinct(), newGroup = "")
    }

    fun removeAddress(index: Int) = edit { f -> f.copy(addresses = f.addresses.filterIndexed { i, _ -> i != index }.ifEmpty { listOf("") }) }

    /** Save; the core refuses what it would not keep (no name, not an address), and says why. */
    fun save() = work {
        val f = state.value.form
        app.saveContact(card.copy(
            name = f.name,
            // Fields left empty are not addresses the user gave.
            addresses = f.addresses.map { it.trim() }.filter { it.isNotEmpty() },
            organisation = f.organisation,
            vat = f.vat,
            taxCode = f.taxCode,
            notes = f.notes,
            book = f.book,
            groups = f.groups,
        ))
    }

    fun remove() = work { state.value.id?.let { app.removeContact(it) } }

    private fun work(call: suspend () -> Unit) {
        if (state.value.busy) return
        mutable.update { it.copy(busy = true, errorCode = null) }
        scope.launch {
            try {
                call()
                mutable.update { it.copy(busy = false, done = true) }
            } catch (e: Exception) {
                mutable.update { it.copy(busy = false, errorCode = codeOf(e)) }
            }
        }
    }
}
