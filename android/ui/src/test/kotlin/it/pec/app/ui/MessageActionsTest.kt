package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import it.pec.core.App
import it.pec.core.ComposeDraft
import it.pec.core.Delegation
import it.pec.core.ViewRef
import androidx.compose.ui.test.performTextInput
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import java.io.File
import java.nio.file.Files
import it.pec.core.Permissions
import it.pec.core.corpusFile
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.runBlocking
import org.junit.Rule
import org.junit.Test

/** On the message screen, what a read-only delegate may not do is disabled with the reason. */
class MessageActionsTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun deleteIsRefusedWithTheReasonAndMarkUnreadWorks() = withApp { app, scope ->
        val reader = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false)
        val presenter = delegateMessageScreen(app, scope, reader)
        compose.onNodeWithTag("delete").assertIsNotEnabled()
        compose.onNodeWithTag("delete-refused")
            .assertTextEquals("Spostare o eliminare i messaggi: la tua delega non comprende «Scrittura»")
        compose.onNodeWithTag("reply").assertIsNotEnabled()
        compose.onNodeWithTag("mark-unread").assertIsEnabled().performClick()
        compose.waitUntil(10_000) { presenter.state.value.view?.row?.seen == false }
    }

    /** A delegate who may write but not send prepares replies as drafts for the owner to send. */
    @Test
    fun aWriterWithoutSendMayStillReply() = withApp { app, scope ->
        val writer = Permissions(read = true, write = true, send = false, mailPrograms = true, settings = false)
        delegateMessageScreen(app, scope, writer)
        compose.onNodeWithTag("reply").assertIsEnabled()
        compose.onNodeWithTag("forward").assertIsEnabled()
    }

    /** A received PEC on the message screen of a delegate with `permissions`, once its account is known. */
    private fun delegateMessageScreen(app: App, scope: CoroutineScope, permissions: Permissions): MessagePresenter {
        val acc = runBlocking {
            app.addAccount(offlineAccount("ufficio@pec.example").copy(delegation = Delegation("mario.rossi", permissions)))
        }
        val id = runBlocking {
            app.importInto(acc.id, null, corpusFile("pec/biagioT_java-pec-parser/accettazione.eml").readBytes()).id
        }
        val presenter = MessagePresenter(app, scope, id)
        compose.setContent {
            val s by presenter.state.collectAsState()
            MessageScreen(s, Italian, presenter)
        }
        compose.waitUntil(10_000) { presenter.state.value.account != null }
        return presenter
    }

    /**
     * The owner's actions on a received PEC: a reply the core addresses to the real sender, a move
     * to a folder the core offers, a label added, and the evidence written and handed to the share
     * sheet with its checksums.
     */
    @Test
    fun replyMoveLabelAndEvidence() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val envelope = corpusFile("pec/OCA_l10n-italy/7.0/message1").readBytes()
        val id = runBlocking { app.importInto(acc.id, null, envelope).id }
        runBlocking { app.importInto(acc.id, "Archivio", invoiceMail("x.txt", "x".toByteArray())) }
        val presenter = MessagePresenter(app, scope, id)
        val platform = RecordingPlatform(Files.createTempDirectory("pec-ui-files").toString())
        val drafts = mutableListOf<ComposeDraft>()
        compose.setContent {
            val s by presenter.state.collectAsState()
            MessageScreen(s, Italian, presenter, platform, onCompose = { drafts += it })
        }
        compose.waitUntil(10_000) { presenter.state.value.moveTargets.isNotEmpty() }

        compose.onNodeWithTag("reply").performClick()
        compose.waitUntil(10_000) { drafts.isNotEmpty() }
        val reply = drafts.single()
        assertTrue(reply.to.toString(), reply.to.none { it.contains("posta-certificata@") })
        assertTrue(reply.subject, reply.subject.startsWith("Re:"))
        assertTrue(reply.inReplyTo != null)

        compose.onNodeWithTag("label-new").performClick()
        compose.onNodeWithTag("label-input").performTextInput("Cliente Rossi")
        compose.onNodeWithTag("label-add").performClick()
        compose.waitUntil(10_000) { presenter.state.value.view?.labels?.contains("Cliente Rossi") == true }
        compose.onNodeWithTag("label-Cliente Rossi").assertExists()

        compose.onNodeWithTag("evidence").performClick()
        compose.waitUntil(10_000) { platform.shared.isNotEmpty() }
        val names = platform.shared.map { File(it).name }
        assertEquals(listOf("messaggio.eml", "daticert.xml", "SHA256SUMS"), names)
        compose.onNodeWithTag("evidence-written").assertTextEquals("3 file salvati")

        val archive = presenter.state.value.moveTargets.single { it.name == "Archivio" }
        val folderId = (archive.view as ViewRef.Folder).id
        compose.onNodeWithTag("move").performClick()
        compose.onNodeWithTag("move-$folderId").performClick()
        compose.waitUntil(10_000) { presenter.state.value.view?.row?.folderId == folderId }
        // Its own folder is no target any more; the inbox is.
        compose.waitUntil(10_000) { presenter.state.value.moveTargets.none { it.name == "Archivio" } }
    }

    /** An HTML message is drawn by the platform's view, cleaned, and says what remote content it left out. */
    @Test
    fun htmlMailIsDrawnWithoutRemoteContent() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val raw = ("From: a@pec.example\r\nTo: ufficio@pec.example\r\nSubject: Avviso\r\nMessage-ID: <h@x>\r\n" +
            "Date: Fri, 20 Nov 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n" +
            "<p>Gentile cliente<img src=\"https://t.example/p.gif\"></p>\r\n").toByteArray()
        val id = runBlocking { app.importInto(acc.id, null, raw).id }
        val presenter = MessagePresenter(app, scope, id)
        val platform = RecordingPlatform(Files.createTempDirectory("pec-ui-html").toString())
        compose.setContent {
            val s by presenter.state.collectAsState()
            MessageScreen(s, English, presenter, platform)
        }
        compose.waitUntil(10_000) { presenter.state.value.view != null }
        val view = presenter.state.value.view!!
        assertTrue(view.html!!.contains("Gentile cliente") && !view.html!!.contains("t.example"))
        compose.onNodeWithTag("remote-blocked")
            .assertTextEquals("Remote content not loaded (1): the sender will not learn whether or when you read")
        compose.onNodeWithTag("html").assertExists()
    }
}
