package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import it.pec.core.ComposeDraft
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * Each account's signature, written in the settings and kept by the core, opens a new message
 * under the place to write, and one started from the address book too; what the user typed
 * first is never replaced.
 */
class SignatureTest {
    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    @Test
    fun theSignatureWrittenInTheSettingsOpensANewMessage() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val settings = SettingsPresenter(app, scope)
        compose.setContent {
            val s by settings.state.collectAsState()
            SettingsScreen(s, Italian, settings)
        }
        compose.waitUntil(10_000) { exists("signature-${acc.id}") }
        compose.onNodeWithTag("signature-${acc.id}").performTextInput("Avv. Maria Rossi  ")
        compose.onNodeWithTag("signature-save-${acc.id}").performClick()
        compose.waitUntil(10_000) { !exists("signature-save-${acc.id}") }
        assertEquals("Avv. Maria Rossi", runBlocking { app.account(acc.id) }.signature)
        compose.onNodeWithTag("signature-${acc.id}").assertTextContains("Avv. Maria Rossi")

        val blank = ComposePresenter(app, scope, acc.id)
        compose.waitUntil(10_000) { blank.state.value.text.isNotEmpty() }
        assertEquals("\n\n-- \nAvv. Maria Rossi", blank.state.value.text)
        blank.leave()

        val toSomeone = ComposeDraft(listOf("studio@pec.example.it"), listOf(), "", "", listOf(), null, null)
        val started = ComposePresenter(app, scope, acc.id, toSomeone)
        compose.waitUntil(10_000) { started.state.value.text.isNotEmpty() }
        assertEquals(listOf("studio@pec.example.it"), started.state.value.to)
        assertEquals("\n\n-- \nAvv. Maria Rossi", started.state.value.text)
        started.leave()
    }

    /** The screen: "Scrivi" opens compose with the signature in the text. */
    @Test
    fun writeOpensWithTheSignature() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        runBlocking { app.setSignature(acc.id, "Studio Bianchi") }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
        compose.waitUntil(10_000) { exists("write") }
        compose.onNodeWithTag("write").performClick()
        compose.waitUntil(10_000) { exists("compose") }
        compose.waitUntil(10_000) {
            runCatching { compose.onNodeWithTag("text").assertTextContains("Studio Bianchi", substring = true) }.isSuccess
        }
    }
}
