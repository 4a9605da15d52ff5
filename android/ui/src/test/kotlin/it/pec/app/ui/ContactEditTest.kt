package it.pec.app.ui

import androidx.compose.ui.test.assertIsSelected
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * The contact form from the address book: a correspondent saved as a contact with its name and
 * address already there and put in a new group, a nameless contact refused with the core's reason, a contact removed
 * (its address stays a correspondent, as the mail says).
 */
class ContactEditTest {
    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    @Test
    fun aCorrespondentIsSavedChangedAndRemoved() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val mail = ("From: Mario Rossi <mario.rossi@pec.example.it>\r\nTo: ufficio@pec.example\r\n" +
            "Subject: Preventivo\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\nMessage-ID: <prev-1@example.it>\r\n\r\nIn allegato.\r\n").toByteArray()
        runBlocking { app.importInto(acc.id, null, mail) }
        val navigator = Navigator().also { it.open(Screen.Contacts(acc.id)) }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir()), navigator) }

        val address = "mario.rossi@pec.example.it"
        compose.waitUntil(10_000) { exists("edit-$address") }
        compose.onNodeWithTag("edit-$address").assertTextEquals(Italian.saveAsContact).performClick()
        compose.waitUntil(10_000) { exists("contact-edit") }
        compose.onNodeWithTag("contact-name").assertTextEquals(Italian.contactName, "Mario Rossi")
        compose.onNodeWithTag("contact-address-0").assertTextEquals(Italian.address, address)
        compose.onNodeWithTag("contact-vat").performTextInput("01234567890")
        compose.onNodeWithTag("contact-new-group").performTextInput("Fornitori")
        compose.onNodeWithTag("contact-add-group").performClick()
        compose.onNodeWithTag("contact-group-Fornitori").assertIsSelected()
        compose.onNodeWithTag("contact-save").performClick()

        compose.waitUntil(10_000) { runBlocking { app.contacts() }.isNotEmpty() && exists("contacts") }
        val saved = runBlocking { app.contacts() }.single()
        assertEquals(Triple("Mario Rossi", listOf(address), "01234567890"), Triple(saved.name, saved.addresses, saved.vat))
        // The group was made on save and holds him: a PEC can be written to "Fornitori".
        assertEquals(listOf("Fornitori"), saved.groups)
        assertEquals(listOf(address), runBlocking { app.expandRecipients(listOf("Fornitori")) })
        compose.waitUntil(10_000) { exists("edit-${saved.id}") }
        compose.onNodeWithTag("edit-${saved.id}").assertTextEquals(Italian.editContact)

        // A contact without a name: the core refuses it and the form stays, saying why.
        compose.onNodeWithTag("contact-new").performClick()
        compose.waitUntil(10_000) { exists("contact-edit") }
        compose.onNodeWithTag("contact-address-0").performTextInput("senza.nome@pec.example.it")
        compose.onNodeWithTag("contact-save").performClick()
        compose.waitUntil(10_000) { exists("contact-error") }
        compose.onNodeWithText(Italian.error("invalid_input")).assertExists()
        navigator.back()

        compose.waitUntil(10_000) { exists("edit-${saved.id}") }
        compose.onNodeWithTag("edit-${saved.id}").performClick()
        compose.waitUntil(10_000) { exists("contact-remove") }
        compose.onNodeWithTag("contact-remove").performClick()
        compose.waitUntil(10_000) { runBlocking { app.contacts() }.isEmpty() && exists("edit-$address") }
        compose.onNodeWithTag("edit-$address").assertTextEquals(Italian.saveAsContact)
    }
}
