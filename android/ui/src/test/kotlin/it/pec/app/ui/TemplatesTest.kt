package it.pec.app.ui

import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import it.pec.core.RequestedReceipt
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * Templates in compose: what is written is saved as a template by name (without the signature),
 * a new compose opens it with the account's signature under its text, and a template is removed.
 */
class TemplatesTest {
    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    @Test
    fun aTemplateSavedInComposeOpensAnother() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        runBlocking { app.setSignature(acc.id, "Studio Bianchi") }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
        compose.waitUntil(10_000) { exists("write") }
        compose.onNodeWithTag("write").performClick()
        compose.waitUntil(10_000) { exists("compose") }
        compose.onNodeWithTag("to-input").performTextInput("tribunale@pec.giustizia.it")
        compose.onNodeWithTag("to-add").performClick()
        compose.onNodeWithTag("subject").performTextInput("Deposito atto")
        compose.onNodeWithTag("receipt-breve").performClick()
        compose.onNodeWithTag("template-save").performClick()
        compose.onNodeWithTag("template-name").performTextInput("Deposito")
        compose.onNodeWithTag("template-name-save").performClick()
        compose.waitUntil(10_000) { exists("template-saved") }
        val kept = runBlocking { app.templates() }.single()
        assertEquals("Deposito", kept.name)
        assertEquals("", kept.draft.text)
        assertEquals(RequestedReceipt.BREVE, kept.draft.receipt)

        compose.onNodeWithTag("back").performClick()
        compose.waitUntil(10_000) { exists("write") }
        compose.onNodeWithTag("write").performClick()
        compose.waitUntil(10_000) { exists("templates-open") }
        compose.onNodeWithTag("templates-open").performClick()
        compose.waitUntil(10_000) { exists("template-Deposito") }
        compose.onNodeWithTag("template-Deposito").performClick()
        compose.waitUntil(10_000) { exists("to-chip-tribunale@pec.giustizia.it") }
        compose.onNodeWithTag("subject").assertTextContains("Deposito atto")
        compose.onNodeWithTag("text").assertTextContains("Studio Bianchi", substring = true)

        compose.onNodeWithTag("templates-open").performClick()
        compose.waitUntil(10_000) { exists("template-remove-Deposito") }
        compose.onNodeWithTag("template-remove-Deposito").performClick()
        compose.waitUntil(10_000) { exists("templates-none") }
        assertEquals(0, runBlocking { app.templates() }.size)
    }
}
