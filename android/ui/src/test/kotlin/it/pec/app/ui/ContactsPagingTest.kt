package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performScrollToIndex
import it.pec.core.ContactCard
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Rule
import org.junit.Test

/**
 * A large address book opens on its first page and reads the next ones as the list is scrolled,
 * each person once even when the list moved between two pages (the core pages after the last
 * person read, not at a count of rows).
 */
class ContactsPagingTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun theListReadsItsPagesAsItScrolls() = withApp { app, scope ->
        runBlocking {
            for (i in 0 until 250) {
                val n = i.toString().padStart(3, '0')
                app.saveContact(ContactCard(null, "Persona $n", listOf("persona$n@pec.example.it"), null, null, null, null, listOf()))
            }
        }
        val presenter = ContactsPresenter(app, scope)
        compose.setContent {
            val s by presenter.state.collectAsState()
            ContactsScreen(s, Italian, presenter, onCompose = {})
        }
        compose.waitUntil(10_000) { presenter.state.value.people != null }
        assertEquals("the first page only", 100, presenter.state.value.people!!.size)
        // Someone saved meanwhile sorts before the page read: a page at a count of rows would
        // start one row back and repeat a person (a repeated key ends the list).
        runBlocking { app.saveContact(ContactCard(null, "Persona 000a", listOf("nuova@pec.example.it"), null, null, null, null, listOf())) }
        repeat(10) {
            val read = presenter.state.value.people!!.size
            if (read == 250) return@repeat
            // The books' header and its divider come before the people.
            compose.onNodeWithTag("contacts-list").performScrollToIndex(read + 1)
            compose.waitUntil(10_000) { presenter.state.value.people!!.size > read }
        }
        val people = presenter.state.value.people!!
        assertEquals(250, people.size)
        assertEquals((0 until 250).map { "Persona " + it.toString().padStart(3, '0') }, people.map { it.name })
        assertNull(presenter.state.value.next)
        compose.onNodeWithTag("contacts-list").performScrollToIndex(251)
        compose.waitUntil(5_000) { compose.onAllNodes(hasTestTag("address-persona249@pec.example.it")).fetchSemanticsNodes().isNotEmpty() }
    }
}
