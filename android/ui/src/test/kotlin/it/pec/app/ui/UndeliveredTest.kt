package it.pec.app.ui

import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import it.pec.core.App
import it.pec.core.BodyDownload
import it.pec.core.ComposeDraft
import it.pec.core.CredentialBackend
import it.pec.core.SandboxRule
import it.pec.core.ViewRef
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test
import java.nio.file.Files

/**
 * A PEC the provider could not deliver (an unknown address on the sandbox) appears in the ☰
 * drawer's "Non consegnati", which opens the list of it.
 */
class UndeliveredTest {
    companion object {
        @ClassRule @JvmField
        val rule = SandboxRule("--accounts", "1")
        private val sandbox get() = rule.process
    }

    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    @Test
    fun aFailedDeliveryIsInTheDrawersUndelivered() {
        val sb = sandbox ?: return
        val dir = Files.createTempDirectory("pec-ui-undelivered").toFile()
        try {
            App(dir.path, CredentialBackend.MEMORY).use { app ->
                val index = runBlocking {
                    val (address, password) = sb.accounts()[0]
                    val me = sb.addAccount(app, address, password)
                    val draft = ComposeDraft(listOf("nessuno@pec.sandbox.test"), listOf(), "Atto non consegnato",
                        "Testo.", listOf(), null, null)
                    app.send(me.id, draft)
                    withTimeout(60_000) {
                        while (app.folderMenu(me.id).none { it.view == ViewRef.Undelivered }) {
                            app.sync(me.id, BodyDownload.RECEIPTS_ONLY, null)
                            delay(300)
                        }
                    }
                    app.folderMenu(me.id).indexOfFirst { it.view == ViewRef.Undelivered }
                }
                compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
                compose.waitUntil(10_000) { exists("menu") }
                compose.onNodeWithTag("menu").performClick()
                compose.waitUntil(10_000) { exists("menu-$index") }
                compose.onNodeWithTag("menu-$index").performClick()
                compose.waitUntil(10_000) { exists("message-list") && !exists("empty") }
                compose.onNodeWithTag("title").assertTextEquals(Italian.undeliveredFolder)
                val listed = runBlocking { app.listPage(app.accounts().single().id, ViewRef.Undelivered, null, 50u) }.rows
                compose.waitUntil(10_000) { listed.all { exists("row-${it.id}") } }
                assertEquals(listOf("Atto non consegnato"), listed.map { it.subject })
            }
        } finally {
            dir.deleteRecursively()
        }
    }
}
