package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import it.pec.core.App
import it.pec.core.BodyDownload
import it.pec.core.ComposeDraft
import it.pec.core.CredentialBackend
import it.pec.core.DeliveryStep
import it.pec.core.FolderKind
import it.pec.core.ListRow
import it.pec.core.MessageKind
import it.pec.core.SandboxProcess
import it.pec.core.SandboxRule
import it.pec.core.SignatureState
import it.pec.core.ViewRef
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test
import java.nio.file.Files

/**
 * The message screen against the PEC provider sandbox: a PEC sent and delivered shows each
 * recipient's step; the envelope it arrives in shows the certified banner when the provider's CA is
 * trusted, and says the signer is not a recognised provider when it is not.
 */
class MessageTest {
    companion object {
        @ClassRule @JvmField
        val rule = SandboxRule("--accounts", "2")
        private val sandbox get() = rule.process
    }

    @get:Rule val compose = createComposeRule()

    private fun <T> withSandboxApp(block: suspend (App, CoroutineScope, SandboxProcess) -> T): T {
        val sb = sandbox!!
        val dir = Files.createTempDirectory("pec-ui-msg").toFile()
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            return App(dir.path, CredentialBackend.MEMORY).use { app -> runBlocking { block(app, scope, sb) } }
        } finally {
            scope.cancel()
            dir.deleteRecursively()
        }
    }

    @Test
    fun aDeliveredPecShowsEachRecipientAndItsEnvelopeIsCertified() {
        val (sentRow, envelope, presenters) = withSandboxApp { app, scope, sb ->
            val (a1, p1) = sb.accounts()[0]
            val (a2, p2) = sb.accounts()[1]
            val me = sb.addAccount(app, a1, p1)
            val sent = app.send(me.id, ComposeDraft(listOf(a2), listOf(), "Verbale firmato", "Il testo del verbale.", listOf(), null, null))
            val row = sent.messageRow!!
            withTimeout(60_000) {
                while (app.delivery(row).ticks != 2.toUByte()) {
                    app.refreshReceipts(me.id)
                    delay(300)
                }
            }
            val them = sb.addAccount(app, a2, p2)
            app.sync(them.id, BodyDownload.SMALL, null)
            val env = app.listPage(them.id, ViewRef.Inbox, null, 50u).rows.single { it.kind == MessageKind.CERTIFIED }
            val sentPresenter = MessagePresenter(app, scope, row)
            val envPresenter = MessagePresenter(app, scope, env.id)
            withTimeout(10_000) {
                while (sentPresenter.state.value.view == null || envPresenter.state.value.view?.downloaded != true) delay(50)
            }
            Triple(row, env.id, sentPresenter to envPresenter)
        }
        val (sentPresenter, envPresenter) = presenters
        val sentView = sentPresenter.state.value.view!!
        assertEquals(sentRow, sentView.row.id)
        assertEquals(listOf(DeliveryStep.DELIVERED), sentView.recipients.map { it.state })
        val envView = envPresenter.state.value.view!!
        assertEquals(envelope, envView.row.id)
        assertEquals(SignatureState.VALID, envView.pec.signature.state)
        assertTrue(envView.pec.certified)

        compose.setContent {
            val s by sentPresenter.state.collectAsState()
            MessageScreen(s, Italian)
        }
        compose.onNodeWithTag("step-0").assertTextEquals("Consegnata")
        compose.onNodeWithTag("subject").assertTextEquals("Verbale firmato")
    }

    @Test
    fun anEnvelopeUnderAnUnknownCaSaysTheSignerIsNotAProvider() {
        val view = withSandboxApp { app, scope, sb ->
            val (a1, p1) = sb.accounts()[0]
            val (a2, p2) = sb.accounts()[1]
            val me = sb.addAccount(app, a1, p1, trustSignatures = false)
            app.send(me.id, ComposeDraft(listOf(a2), listOf(), "Non riconosciuta", "x", listOf(), null, null))
            val them = sb.addAccount(app, a2, p2, trustSignatures = false)
            val env = withTimeout(60_000) {
                var found: Long? = null
                while (found == null) {
                    app.sync(them.id, BodyDownload.SMALL, null)
                    found = app.listPage(them.id, ViewRef.Inbox, null, 50u).rows
                        .firstOrNull { it.kind == MessageKind.CERTIFIED && it.subject == "Non riconosciuta" }?.id
                    if (found == null) delay(300)
                }
                found
            }
            val presenter = MessagePresenter(app, scope, env)
            withTimeout(10_000) { while (presenter.state.value.view?.downloaded != true) delay(50) }
            presenter
        }
        assertEquals(SignatureState.UNTRUSTED, view.state.value.view!!.pec.signature.state)
        compose.setContent {
            val s by view.state.collectAsState()
            MessageScreen(s, English)
        }
        compose.onNodeWithTag("banner-text").assertTextEquals("Signature intact, but the signer is not a recognised PEC provider")
    }

    /** A draft saved from compose lands in the server's Drafts folder and reopens in compose as it was. */
    @Test
    fun aSavedDraftReopensAsItWasWritten() {
        val (presenter, reopened) = withSandboxApp { app, scope, sb ->
            val (a1, p1) = sb.accounts()[0]
            val (a2, _) = sb.accounts()[1]
            val me = sb.addAccount(app, a1, p1)
            val compose = ComposePresenter(app, scope, me.id)
            compose.addTo(a2)
            compose.setSubject("Bozza del ricorso")
            compose.setText("Da completare.")
            compose.saveDraft()
            withTimeout(30_000) { while (!compose.state.value.draftSaved) delay(50) }
            val row = withTimeout(30_000) {
                var found: ListRow? = null
                while (found == null) {
                    app.sync(me.id, BodyDownload.SMALL, null)
                    val folder = app.folderMenu(me.id).first { it.kind == FolderKind.DRAFTS }.view
                    found = app.listPage(me.id, folder, null, 50u).rows.firstOrNull { it.subject == "Bozza del ricorso" }
                    if (found == null) delay(200)
                }
                found
            }
            assertTrue(row.draft)
            val message = MessagePresenter(app, scope, row.id)
            withTimeout(10_000) { while (message.state.value.view?.downloaded != true) delay(50) }
            message to message.resumeDraft()
        }
        val d = reopened!!
        assertEquals("Bozza del ricorso", d.subject)
        assertEquals(listOf("utente2@pec.sandbox.test"), d.to)
        assertTrue(d.text.contains("Da completare."))
        compose.setContent {
            val s by presenter.state.collectAsState()
            MessageScreen(s, Italian, presenter)
        }
        compose.onNodeWithTag("edit-draft").assertExists()
    }
}
