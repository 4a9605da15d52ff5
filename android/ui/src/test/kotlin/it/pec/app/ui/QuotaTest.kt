package it.pec.app.ui

import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import it.pec.core.App
import it.pec.core.BodyDownload
import it.pec.core.CredentialBackend
import it.pec.core.QuotaLevel
import it.pec.core.SandboxRule
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test
import java.nio.file.Files

/**
 * A box near its quota (1 MiB, 940 KiB used, on the sandbox's Dovecot): the ☰ drawer says what a
 * nearly full PEC box risks, and compose says its receipts may not arrive.
 */
class QuotaTest {
    companion object {
        private const val ME = "utente1@pec.sandbox.test"

        @ClassRule @JvmField
        val rule = SandboxRule("--accounts", "1", "--quota", "$ME:1")
        private val sandbox get() = rule.process
    }

    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    @Test
    fun aNearlyFullBoxIsSaidInTheDrawerAndInCompose() {
        val sb = sandbox ?: return
        val dir = Files.createTempDirectory("pec-ui-quota").toFile()
        try {
            App(dir.path, CredentialBackend.MEMORY).use { app ->
                sb.fill(ME, 940)
                val me = runBlocking {
                    val (address, password) = sb.accounts()[0]
                    val added = sb.addAccount(app, address, password)
                    app.sync(added.id, BodyDownload.RECEIPTS_ONLY, null)
                    app.account(added.id)
                }
                assertEquals(QuotaLevel.NEARLY_FULL, me.quota)
                compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
                compose.waitUntil(10_000) { exists("write") }
                compose.onNodeWithTag("write").performClick()
                compose.waitUntil(10_000) { exists("sender-quota") }
                compose.onNodeWithTag("sender-quota").assertTextEquals(Italian.receiptsMayNotArrive)

                compose.onNodeWithTag("back").performClick()
                compose.waitUntil(10_000) { exists("menu") }
                compose.onNodeWithTag("menu").performClick()
                compose.waitUntil(10_000) { exists("quota-warning") }
                compose.onNodeWithTag("quota-warning").assertTextEquals(Italian.quotaWarning(QuotaLevel.NEARLY_FULL)!!)
            }
        } finally {
            dir.deleteRecursively()
        }
    }
}
