package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.assertTextEquals
import it.pec.core.FolderKind
import it.pec.core.MessageAction
import it.pec.core.ViewRef
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import it.pec.core.corpusFile
import org.junit.Rule
import org.junit.Test

/** The ☰ drawer against the real facade: the core's folder menu, drawn in the user's language. */
class DrawerTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun drawerShowsTheCoresMenuAndOpensAVirtualFolder() = withApp { app, scope ->
        val receipt = corpusFile("pec/biagioT_java-pec-parser/accettazione.eml").readBytes()
        val xml = corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml").readBytes()
        val state = runBlocking {
            val acc = app.addAccount(offlineAccount("ufficio@pec.example"))
            app.importInto(acc.id, "INBOX", invoiceMail("IT01234567890_FPR01.xml", xml))
            val filed = app.importInto(acc.id, "INBOX/Clienti", receipt).id
            app.apply(filed, MessageAction.MarkUnseen)
            app.apply(filed, MessageAction.AddLabel("Cliente Rossi"))
            val presenter = DrawerPresenter(app, scope)
            val s = withTimeout(10_000) {
                presenter.state.first { s ->
                    s.entries.any { it.view == ViewRef.Invoices && it.total == 1u } && s.entries.any { it.unreadBelow == 1u } &&
                        s.entries.any { it.view is ViewRef.Label }
                }
            }
            assertEquals(acc.id, s.selected)
            presenter
        }
        val first = state.state.value
        assertEquals(FolderKind.INBOX, first.entries[0].kind)
        assertEquals(ViewRef.Invoices, first.entries[1].view)
        assertEquals(ViewRef.Receipts, first.entries[2].view)
        val clienti = first.entries.single { it.name == "Clienti" }
        assertEquals(1u, clienti.depth)

        val opened = mutableListOf<ViewRef>()
        compose.setContent {
            val s by state.state.collectAsState()
            DrawerScreen(s, Italian, onSelectAccount = {}, onOpen = { opened += it })
        }
        compose.onNodeWithText("Posta in arrivo").assertExists()
        // The inbox's line says its subfolder has one message to read.
        compose.onNodeWithTag("unread-below-0", useUnmergedTree = true).assertTextEquals("+1")
        compose.onNodeWithText("Ricevute").assertExists()
        compose.onNodeWithText("ufficio@pec.example").assertExists()
        compose.onNodeWithText("Fatture ricevute").performClick()
        compose.runOnIdle { assertEquals(listOf<ViewRef>(ViewRef.Invoices), opened) }
        // The labels close the menu, under their heading; a label opens its messages.
        compose.onNodeWithTag("labels-heading").assertTextEquals("Etichette")
        compose.onNodeWithText("Cliente Rossi").performClick()
        compose.runOnIdle { assertEquals(ViewRef.Label("Cliente Rossi"), opened.last()) }
    }

    @Test
    fun everyLanguageNamesTheFoldersAndTheErrors() {
        for ((strings, inbox) in listOf(Italian to "Posta in arrivo", English to "Inbox", Romanian to "Mesaje primite")) {
            assertEquals(inbox, strings.folder(FolderKind.INBOX, "INBOX"))
            assertEquals("Clienti", strings.folder(FolderKind.OTHER, "Clienti"))
            for (code in listOf("auth", "network", "permission", "not_downloaded", "no-such-code")) {
                assert(strings.error(code).isNotBlank()) { "${strings.language} $code" }
            }
        }
        assertEquals(Romanian, stringsFor("ro-RO"))
        assertEquals(Italian, stringsFor("de"))
    }

    @Test
    fun withNoAccountTheDrawerSaysSo() = withApp { app, scope ->
        val presenter = DrawerPresenter(app, scope)
        compose.setContent {
            val s by presenter.state.collectAsState()
            DrawerScreen(s, English, onSelectAccount = {}, onOpen = {})
        }
        compose.onNodeWithText("No mailbox set up").assertExists()
        compose.onNodeWithTag("drawer").assertExists()
    }
}
