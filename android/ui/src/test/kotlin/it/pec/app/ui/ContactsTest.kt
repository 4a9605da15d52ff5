package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import it.pec.core.App
import it.pec.core.ComposeDraft
import it.pec.core.ContactCard
import it.pec.core.CredentialBackend
import it.pec.core.PecProof
import it.pec.core.SandboxRule
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test
import java.nio.file.Files

/**
 * The address book screen against the sandbox: an address a certified receipt named shows as a
 * certified PEC, the search finds a contact by its VAT number and touching it writes to it, and a
 * CardDAV book added on the screen (a wrong password refused first) brings the cards another
 * phone put on the server, until it is removed.
 */
class ContactsTest {
    companion object {
        @ClassRule @JvmField
        val rule = SandboxRule("--accounts", "2", "--carddav")
    }

    @get:Rule val compose = createComposeRule()

    /** A fresh App, `prepare`d, then the screen on it (its presenter reads the book as it then stands). */
    private fun withScreen(
        prepare: suspend (App) -> Unit = {},
        block: suspend (App, ContactsPresenter, MutableList<ComposeDraft>) -> Unit,
    ) {
        val dir = Files.createTempDirectory("pec-ui-contacts").toFile()
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            App(dir.path, CredentialBackend.MEMORY).use { app ->
                runBlocking { prepare(app) }
                val presenter = ContactsPresenter(app, scope)
                val drafts = mutableListOf<ComposeDraft>()
                compose.setContent {
                    val s by presenter.state.collectAsState()
                    ContactsScreen(s, Italian, presenter, onCompose = { drafts += it })
                }
                runBlocking { block(app, presenter, drafts) }
            }
        } finally {
            scope.cancel()
            dir.deleteRecursively()
        }
    }

    @Test
    fun aCertifiedAddressAndAContactFoundByItsVatNumber() = withScreen(prepare = { app ->
        val sb = rule.process!!
        val (a1, p1) = sb.accounts()[0]
        val (a2, _) = sb.accounts()[1]
        val me = sb.addAccount(app, a1, p1)
        val row = app.send(me.id, ComposeDraft(listOf(a2), listOf(), "Diffida", "Testo.", listOf(), null, null)).messageRow!!
        withTimeout(60_000) {
            while (app.delivery(row).ticks != 2.toUByte()) {
                app.refreshReceipts(me.id)
                delay(300)
            }
        }
        app.saveContact(ContactCard(null, "Anna Verdi", listOf("anna@pec.example.it"), "Studio Verdi", null, "01234567890", null, listOf()))
    }) { _, fresh, drafts ->
        val a2 = rule.process!!.accounts()[1].first
        compose.waitUntil(10_000) { fresh.state.value.people?.any { p -> p.addresses.any { it.address == a2 } } == true }
        val proof = fresh.state.value.people!!.flatMap { it.addresses }.first { it.address == a2 }.proof
        check(proof is PecProof.Certified) { "the delivery receipt proves $a2: $proof" }
        compose.onNodeWithText(Italian.proof(proof)).assertIsDisplayed()
        compose.onNodeWithTag("address-anna@pec.example.it").assertIsDisplayed()
        compose.onNodeWithText("Studio Verdi").assertIsDisplayed()

        compose.onNodeWithTag("contacts-query").performTextInput("0123456789")
        compose.waitUntil(10_000) { fresh.state.value.matches?.map { it.address } == listOf("anna@pec.example.it") }
        compose.onNodeWithTag("address-anna@pec.example.it").performClick()
        compose.waitUntil(5_000) { drafts.isNotEmpty() }
        assertEquals(listOf("anna@pec.example.it"), drafts.single().to)

        compose.onNodeWithTag("contacts-query").performTextReplacement("nessuno-cosi")
        compose.waitUntil(10_000) { fresh.state.value.matches?.isEmpty() == true }
        compose.onNodeWithTag("contacts-nothing").assertIsDisplayed()
    }

    @Test
    fun aBookAddedOnTheScreenBringsItsCardsUntilRemoved() = withScreen { app, presenter, _ ->
        val sb = rule.process!!
        val (url, ca) = sb.carddav()
        val (user, password) = sb.accounts().first()
        // Another phone puts a card in the book.
        App(Files.createTempDirectory("pec-ui-other").toFile().path, CredentialBackend.MEMORY).use { other ->
            val book = other.addAddressBook(url, user, password, ca).single()
            other.saveContact(ContactCard(null, "Bruno Neri", listOf("bruno@pec.example.it"), "Neri Srl", null, null, null, listOf(), book = book.id))
            assertEquals(1u, other.syncAddressBooks().single().uploaded)
        }
        compose.waitUntil(10_000) { presenter.state.value.people != null }
        compose.onNodeWithTag("contacts-empty").assertIsDisplayed()

        compose.onNodeWithTag("books-add").performClick()
        compose.onNodeWithTag("book-url").performTextInput(url)
        compose.onNodeWithTag("book-user").performTextInput(user)
        compose.onNodeWithTag("book-password").performTextInput("sbagliata")
        compose.onNodeWithTag("book-ca-file").performTextInput(ca)
        compose.onNodeWithTag("book-save").performClick()
        compose.waitUntil(30_000) { presenter.state.value.errorCode != null && !presenter.state.value.busy }
        assertEquals("auth", presenter.state.value.errorCode)
        compose.onNodeWithTag("contacts-error").assertIsDisplayed()
        compose.onNodeWithText(Italian.error("auth")).assertIsDisplayed()

        compose.onNodeWithTag("book-password").performTextReplacement(password)
        compose.onNodeWithTag("book-save").performClick()
        compose.waitUntil(30_000) { presenter.state.value.reports.isNotEmpty() && !presenter.state.value.busy }
        val report = presenter.state.value.reports.single()
        assertEquals(1u, report.added)
        compose.onNodeWithTag("book-report-${report.book.id}").assertIsDisplayed()
        compose.onNodeWithText(Italian.bookReport(report)).assertIsDisplayed()
        compose.waitUntil(10_000) { presenter.state.value.people?.any { it.name == "Bruno Neri" } == true }
        compose.onNodeWithTag("address-bruno@pec.example.it").assertIsDisplayed()

        compose.onNodeWithTag("book-remove-${report.book.id}").performClick()
        compose.waitUntil(10_000) { presenter.state.value.books.isEmpty() && !presenter.state.value.busy }
        compose.waitUntil(10_000) { presenter.state.value.people?.none { it.name == "Bruno Neri" } == true }
        assertEquals(0, compose.onAllNodes(hasTestTag("address-bruno@pec.example.it")).fetchSemanticsNodes().size)
    }
}
