package it.pec.app.ui

import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToNode
import it.pec.core.ContactCard
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * The address book's groups: each with its members, "write" opens a PEC to all of them (the
 * address the core picks for each), and a group removed goes while its members stay.
 */
class ContactGroupsTest {
    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    @Test
    fun aGroupIsWrittenToAndRemoved() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        runBlocking {
            app.addGroup("Studio Verdi")
            for ((name, address) in listOf("Anna Verdi" to "anna@pec.example.it", "Luca Neri" to "luca@pec.example.it")) {
                val id = app.saveContact(ContactCard(null, name, listOf(address), null, null, null, null, listOf()))
                app.setGroupMember("Studio Verdi", id, true)
            }
        }
        val navigator = Navigator().also { it.open(Screen.Contacts(acc.id)) }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir()), navigator) }

        compose.waitUntil(10_000) { exists("group-Studio Verdi") }
        compose.onNodeWithTag("group-members-Studio Verdi").assertTextEquals("Anna Verdi, Luca Neri")
        compose.onNodeWithTag("group-write-Studio Verdi").performClick()
        compose.waitUntil(10_000) { navigator.top is Screen.Compose }
        assertEquals(listOf("anna@pec.example.it", "luca@pec.example.it"), (navigator.top as Screen.Compose).start?.to)
        compose.waitUntil(10_000) { exists("to-chip-luca@pec.example.it") }

        compose.onNodeWithTag("back").performClick()
        compose.waitUntil(10_000) { exists("group-remove-Studio Verdi") }
        compose.onNodeWithTag("group-remove-Studio Verdi").performClick()
        compose.waitUntil(10_000) { !exists("group-Studio Verdi") }
        assertEquals(emptyList<Any>(), runBlocking { app.groups() })
        compose.onNodeWithTag("contacts-list").performScrollToNode(hasTestTag("address-luca@pec.example.it"))
    }
}
