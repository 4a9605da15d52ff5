package it.pec.app.ui

import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * The phone's own contacts, imported from the address book: those with an e-mail address come in
 * (twice is still once), the rest are left out and counted; a refused permission says so.
 */
class PhoneContactsTest {
    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    private val phone = ("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Verdi;Anna;;;\r\nFN:Anna Verdi\r\nTEL;CELL:+39 333 1234567\r\n" +
        "EMAIL;WORK:anna@pec.example.it\r\nEND:VCARD\r\n" +
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:;Idraulico;;;\r\nFN:Idraulico\r\nTEL;CELL:+39 333 7654321\r\nEND:VCARD\r\n").toByteArray()

    @Test
    fun thePhonesContactsWithAnAddressComeIn() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val platform = RecordingPlatform(app.dataDir()).apply { phoneContacts = phone }
        val navigator = Navigator().also { it.open(Screen.Contacts(acc.id)) }
        compose.setContent { PecApp(app, Italian, platform, navigator) }

        compose.waitUntil(10_000) { exists("contacts-phone") }
        compose.onNodeWithTag("contacts-phone").performClick()
        compose.waitUntil(10_000) { exists("address-anna@pec.example.it") }
        compose.onNodeWithTag("contacts-phone-report")
            .assertTextEquals("Dal telefono: 1 nuovi, 0 già presenti, 1 senza indirizzo e-mail tralasciati")
        compose.onNodeWithTag("contacts-phone").performClick()
        compose.waitUntil(10_000) {
            runCatching { compose.onNodeWithTag("contacts-phone-report").assertTextEquals(Italian.phoneImport(it.pec.core.ContactImport(0u, 1u, 1u, listOf()))) }.isSuccess
        }
        assertEquals(listOf("Anna Verdi"), runBlocking { app.contacts() }.map { it.name })

        platform.phoneContacts = null
        compose.onNodeWithTag("contacts-phone").performClick()
        compose.waitUntil(10_000) { exists("contacts-phone-refused") }
    }
}
