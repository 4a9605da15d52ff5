package it.pec.app.ui

import it.pec.core.AddressBookInfo
import it.pec.core.AddressSuggestion
import it.pec.core.App
import it.pec.core.BookSyncReport
import it.pec.core.ComposeDraft
import it.pec.core.ContactCard
import it.pec.core.ContactImport
import it.pec.core.GroupInfo
import it.pec.core.PeopleCursor
import it.pec.core.PersonRow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The CardDAV form as typed; `caFile`: a private CA's file, for a self-hosted server (as for a mailbox). */
data class BookForm(val url: String = "", val username: String = "", val password: String = "", val caFile: String = "")

/** The address book as the core keeps it, and the forms of the screen. */
data class ContactsState(
    /** Saved contacts, then the correspondents seen in mail (the core's order), the pages read so far; `null` until read. */
    val people: List<PersonRow>? = null,
    /** Where the next page starts, as the core gave it with the last; `null`: the list is whole. */
    val next: PeopleCursor? = null,
    val query: String = "",
    /** What the core's completion finds for [query]; `null` with no query. */
    val matches: List<AddressSuggestion>? = null,
    val books: List<AddressBookInfo> = emptyList(),
    /** The groups (recipient lists) with their members' names. */
    val groups: List<GroupInfo> = emptyList(),
    /** What the last "sync now" did, one report per book. */
    val reports: List<BookSyncReport> = emptyList(),
    /** What the last import of the phone's contacts did; `null` before one. */
    val phoneImport: ContactImport? = null,
    /** The user refused to let the app read the phone's contacts. */
    val phoneRefused: Boolean = false,
    val form: BookForm? = null,
    /** A sync or an add under way. */
    val busy: Boolean = false,
    val errorCode: String? = null,
)

/**
 * The address book: people with what their addresses proved, the completion's search, and the
 * CardDAV books (add, sync now, remove). Every decision (who is listed, in which order, what an
 * address proved, what matches) is the core's.
 */
class ContactsPresenter(private val app: App, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow(ContactsState())
    val state: StateFlow<ContactsState> = mutable.asStateFlow()
    private var searching: Job? = null
    private var loading: Job? = null

    init {
        scope.launch { reload() }
    }

    /** Search a moment after the last keystroke, with the recipient fields' completion. */
    fun setQuery(query: String) {
        mutable.update { it.copy(query = query) }
        searching?.cancel()
        if (query.isBlank()) {
            mutable.update { it.copy(matches = null) }
            return
        }
        searching = scope.launch {
            delay(150)
            attempt { app.suggestAddresses(query, MATCHES) }?.let { found ->
                mutable.update { if (it.query == query) it.copy(matches = found) else it }
            }
        }
    }

    /** A blank card for "new contact". */
    fun newCard() = ContactCard(null, "", listOf(), null, null, null, null, listOf())

    /** A new PEC to [address], as compose opens it. */
    fun draftTo(address: String) = draftTo(listOf(address))

    private fun draftTo(addresses: List<String>) = ComposeDraft(addresses, listOf(), "", "", listOf(), null, null)

    /** A new PEC to a group's members: the address the core picks for each (its first certified one). */
    suspend fun draftToGroup(name: String): ComposeDraft? = attempt { app.expandRecipients(listOf(name)) }?.let(::draftTo)

    /**
     * Import the phone's contacts as the platform read them (`null`: the user refused): the core
     * keeps those with an e-mail address and merges those already here.
     */
    fun importPhone(vcards: ByteArray?) {
        if (vcards == null) {
            mutable.update { it.copy(phoneRefused = true, phoneImport = null) }
            return
        }
        busy {
            attempt { app.importPhoneContacts(vcards) }?.let { r -> mutable.update { it.copy(phoneImport = r, phoneRefused = false) } }
            reload()
        }
    }

    /** Remove a group; its members stay. */
    fun removeGroup(name: String) = busy {
        attempt { app.removeGroup(name) }
        reload()
    }

    fun openForm() = mutable.update { it.copy(form = BookForm(), errorCode = null) }
    fun closeForm() = mutable.update { it.copy(form = null) }
    fun editForm(change: (BookForm) -> BookForm) = mutable.update { s -> s.copy(form = s.form?.let(change)) }

    /** Find the books at the typed address and keep them; a refusal stays on the form. */
    fun addBook() {
        val form = state.value.form ?: return
        busy {
            attempt { app.addAddressBook(form.url.trim(), form.username.trim(), form.password, form.caFile.trim().ifEmpty { null }) }?.let {
                mutable.update { it.copy(form = null) }
                sync()
            }
        }
    }

    /** Sync every book both ways now. */
    fun syncBooks() = busy { sync() }

    /** Forget a book: its cards leave this device, the server keeps them. */
    fun removeBook(id: Long) = busy {
        attempt { app.removeAddressBook(id) }
        reload()
    }

    private suspend fun sync() {
        attempt { app.syncAddressBooks() }?.let { reports -> mutable.update { it.copy(reports = reports) } }
        reload()
    }

    /** The next page of people, after the last one read. */
    fun loadMore() {
        val after = state.value.next ?: return
        if (loading?.isActive == true) return
        loading = scope.launch {
            attempt { app.peoplePage(after, PAGE) }?.let { page ->
                mutable.update { s ->
                    if (s.next != after) s else s.copy(people = s.people.orEmpty() + page.people, next = page.next)
                }
            }
        }
    }

    /** The first page again (after an edit or a sync) and the books. */
    private suspend fun reload() {
        loading?.cancel()
        val page = attempt { app.peoplePage(null, PAGE) } ?: return
        val books = attempt { app.addressBooks() } ?: return
        val groups = attempt { app.groups() } ?: return
        mutable.update { it.copy(people = page.people, next = page.next, books = books, groups = groups) }
    }

    private fun busy(work: suspend () -> Unit) {
        if (state.value.busy) return
        mutable.update { it.copy(busy = true, errorCode = null) }
        scope.launch {
            try {
                work()
            } finally {
                mutable.update { it.copy(busy = false) }
            }
        }
    }

    /** [call]'s result, or `null` with its error code shown. */
    private suspend fun <T> attempt(call: suspend () -> T): T? =
        orFailed({ code -> mutable.update { it.copy(errorCode = code) } }, call)

    private companion object {
        const val MATCHES = 50u
        const val PAGE = 100u
    }
}
