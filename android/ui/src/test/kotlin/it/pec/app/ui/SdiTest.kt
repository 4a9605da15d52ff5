package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import it.pec.core.App
import it.pec.core.BodyDownload
import it.pec.core.ComposeDraft
import it.pec.core.CredentialBackend
import it.pec.core.SandboxProcess
import it.pec.core.SandboxRule
import it.pec.core.SdiMessageKind
import it.pec.core.attachmentFromPath
import it.pec.core.corpusFile
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test
import java.nio.file.Files

/**
 * An invoice sent to the SdI through the sandbox: the SdI's delivery receipt (RC) comes back as a
 * PEC, and the invoice screen of the sent message shows it, explained.
 */
class SdiTest {
    companion object {
        @ClassRule @JvmField
        val rule = SandboxRule("--accounts", "1")
        private val sandbox get() = rule.process
    }

    @get:Rule val compose = createComposeRule()

    @Test
    fun theSdisReceiptAppearsOnTheSentInvoice() {
        val sb = sandbox ?: return
        val dir = Files.createTempDirectory("pec-ui-sdi").toFile()
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            App(dir.path, CredentialBackend.MEMORY).use { app ->
                val presenter = runBlocking {
                    val (address, password) = sb.accounts()[0]
                    val me = sb.addAccount(app, address, password)
                    val invoice = attachmentFromPath(corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml").path)
                    val draft = ComposeDraft(listOf(sb.field("sdi_address")), listOf(), "Invio fattura FPR01",
                        "In allegato.", listOf(invoice), null, null)
                    val sent = app.send(me.id, draft).messageRow!!
                    withTimeout(60_000) {
                        while (app.invoiceNotices(sent).none { it.kind == SdiMessageKind.RC }) {
                            app.sync(me.id, BodyDownload.SMALL, null)
                            delay(300)
                        }
                    }
                    InvoicePresenter(app, scope, sent)
                }
                compose.setContent {
                    val s by presenter.state.collectAsState()
                    InvoiceScreen(s, Italian, presenter::setStyle, onShare = {}, onPrint = {}) {}
                }
                compose.waitUntil(10_000) { presenter.state.value.notices.isNotEmpty() && presenter.state.value.view != null }
                val rc = presenter.state.value.notices.single()
                assertEquals(SdiMessageKind.RC, rc.kind)
                assertEquals("IT01234567890_FPR01_RC_001.xml", rc.fileName)
                compose.onNodeWithTag("sdi-0").assertTextEquals("Consegnata al destinatario")
                compose.onNodeWithTag("sdi-when-0").assertTextEquals(Italian.dateTime(rc.at!!))
            }
        } finally {
            scope.cancel()
            dir.deleteRecursively()
        }
    }
}
