package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import it.pec.core.DraftProblemKind
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import java.io.File
import java.nio.file.Files

/** The compose screen with the core's check: certified or not, blocked files, the size bar. */
class ComposeTest {
    @get:Rule val compose = createComposeRule()

    /** Typing a name offers the address book's completions; picking one adds its address. */
    @Test
    fun theAddressBookCompletesARecipient() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Verdi\r\nEMAIL:anna@pec.example.it\r\nEND:VCARD\r\n"
        runBlocking { app.importContacts(card.toByteArray(), it.pec.core.ContactFileFormat.V_CARD) }
        val presenter = ComposePresenter(app, scope, acc.id)
        compose.setContent {
            val s by presenter.state.collectAsState()
            ComposeScreen(s, Italian, presenter)
        }
        compose.onNodeWithTag("to-input").performTextInput("verd")
        compose.waitUntil(10_000) { presenter.state.value.suggestions.isNotEmpty() }
        compose.onNodeWithTag("suggestion-anna@pec.example.it").assertTextEquals("Anna Verdi <anna@pec.example.it>")
            .performClick()
        compose.waitUntil(10_000) { presenter.state.value.to == listOf("anna@pec.example.it") }
        compose.onNodeWithTag("to-chip-anna@pec.example.it").assertTextEquals("anna@pec.example.it")
        compose.onNodeWithTag("suggestion-anna@pec.example.it").assertDoesNotExist()
    }

    @Test
    fun theCoreChecksTheDraftAsItIsWritten() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val files = Files.createTempDirectory("pec-compose").toFile()
        val program = File(files, "installa.exe").apply { writeBytes(byteArrayOf(0x4d, 0x5a, 0x00, 0x00)) }
        val presenter = ComposePresenter(app, scope, acc.id)
        compose.setContent {
            val s by presenter.state.collectAsState()
            ComposeScreen(s, Italian, presenter)
        }
        // Nothing to send yet: the core says why.
        compose.waitUntil(10_000) { presenter.state.value.check != null }
        assertEquals(listOf(DraftProblemKind.NO_RECIPIENTS), presenter.state.value.check!!.problems.map { it.kind })
        compose.onNodeWithTag("send").assertIsNotEnabled()

        compose.onNodeWithTag("to-input").performTextInput("studio@pec.it")
        compose.onNodeWithTag("to-add").performClick()
        compose.onNodeWithTag("to-input").performTextInput("amico@gmail.com")
        compose.onNodeWithTag("to-add").performClick()
        // A name with the address, as a reply writes it: the core says which recipient it is.
        compose.onNodeWithTag("to-input").performTextInput("Mario Rossi <Mario@Gmail.com>")
        compose.onNodeWithTag("to-add").performClick()
        compose.onNodeWithTag("subject").performTextInput("Contratto")
        compose.waitUntil(10_000) { presenter.state.value.check?.recipients?.size == 3 && presenter.state.value.check!!.problems.isEmpty() }
        compose.onNodeWithTag("to-chip-studio@pec.it").assertTextEquals("studio@pec.it")
        compose.onNodeWithTag("to-chip-amico@gmail.com").assertTextEquals("⚠ amico@gmail.com")
        compose.onNodeWithTag("to-chip-Mario Rossi <Mario@Gmail.com>").assertTextEquals("⚠ Mario Rossi <Mario@Gmail.com>")
        compose.onNodeWithTag("send").performScrollTo().assertIsEnabled()

        // A program is refused before anything is sent, with the reason.
        presenter.attach(program.path)
        compose.waitUntil(10_000) { presenter.state.value.check?.problems?.isNotEmpty() == true }
        assertEquals(listOf(DraftProblemKind.BLOCKED_ATTACHMENT), presenter.state.value.check!!.problems.map { it.kind })
        compose.onNodeWithTag("problem-0").performScrollTo()
            .assertTextEquals("Un allegato è un programma: i gestori PEC lo rifiutano")
        compose.onNodeWithTag("send").assertIsNotEnabled()
        presenter.removeAttachment("installa.exe")
        compose.waitUntil(10_000) { presenter.state.value.check?.problems?.isEmpty() == true && presenter.state.value.attachments.isEmpty() }
        val check = presenter.state.value.check!!
        assertEquals(check.estimatedSize * 3uL, check.totalBytes)
        assertTrue(check.totalBytes < check.limitBytes)
        compose.onNodeWithTag("size").performScrollTo().assertTextEquals(Italian.size(check.totalBytes, check.limitBytes))
        files.deleteRecursively()
    }
}
