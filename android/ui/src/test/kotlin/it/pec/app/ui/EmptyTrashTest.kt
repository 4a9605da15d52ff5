package it.pec.app.ui

import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import it.pec.core.AccountAction
import it.pec.core.App
import it.pec.core.Delegation
import it.pec.core.FolderEmptying
import it.pec.core.FolderKind
import it.pec.core.PermissionKind
import it.pec.core.Permissions
import it.pec.core.ViewRef
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * The trash, from the ☰ menu: "Svuota" asks first, saying what goes for good (the certified
 * messages and receipts among it, counted by the core), and empties only after "Elimina
 * definitivamente"; a delegate without "write" sees why it may not.
 */
class EmptyTrashTest {
    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    private fun mail(n: Int) = ("From: Studio $n <studio$n@pec.example.it>\r\nTo: ufficio@pec.example\r\n" +
        "Subject: Pratica $n\r\nDate: Mon, 23 Nov 2026 0$n:00:00 +0100\r\nMessage-ID: <trash-$n@example.it>\r\n\r\nTesto.\r\n").toByteArray()

    /** Open the account's trash through the ☰ menu. */
    private fun openTrash(app: App, account: Long): Long {
        val menu = runBlocking { app.folderMenu(account) }
        val index = menu.indexOfFirst { it.kind == FolderKind.TRASH }
        compose.onNodeWithTag("menu").performClick()
        compose.waitUntil(10_000) { exists("menu-$index") }
        compose.onNodeWithTag("menu-$index").performClick()
        return (menu[index].view as ViewRef.Folder).id
    }

    @Test
    fun theTrashIsEmptiedAfterSayingWhatGoes() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val ids = runBlocking { (1..2).map { app.importInto(acc.id, "trash", mail(it)).id } }
        val kept = runBlocking { app.importInto(acc.id, null, mail(3)).id }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
        compose.waitUntil(10_000) { exists("row-$kept") }
        compose.onNodeWithTag("empty-folder").assertDoesNotExist()

        val trash = openTrash(app, acc.id)
        compose.waitUntil(10_000) { ids.all { exists("row-$it") } && exists("empty-folder") }
        compose.onNodeWithTag("empty-folder").performClick()
        compose.waitUntil(10_000) { exists("empty-question") }
        compose.onNodeWithTag("empty-question").assertTextEquals(
            Italian.emptyFolderQuestion(FolderEmptying(messages = 2u, receipts = 0u, certified = 0u)))
        compose.onNodeWithTag("empty-cancel").performClick()
        compose.waitUntil(10_000) { !exists("empty-question") }
        assertEquals(2u, runBlocking { app.emptying(trash) }.messages)

        compose.onNodeWithTag("empty-folder").performClick()
        compose.waitUntil(10_000) { exists("empty-confirm") }
        compose.onNodeWithTag("empty-confirm").performClick()
        compose.waitUntil(10_000) { ids.none { exists("row-$it") } && !exists("empty-folder") }
        assertEquals(0u, runBlocking { app.emptying(trash) }.messages)
        assertEquals(kept, runBlocking { app.message(kept) }.row.id)
    }

    @Test
    fun aDelegateWithoutWriteSeesWhyItMayNotEmpty() = withApp { app, _ ->
        val reader = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false)
        val acc = runBlocking {
            app.addAccount(offlineAccount("ufficio@pec.example").copy(delegation = Delegation("mario.rossi", reader)))
        }
        val id = runBlocking { app.importInto(acc.id, "trash", mail(1)).id }
        runBlocking { app.importInto(acc.id, null, mail(2)) }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
        compose.waitUntil(10_000) { exists("menu") }
        openTrash(app, acc.id)
        compose.waitUntil(10_000) { exists("row-$id") && exists("empty-folder") }
        compose.onNodeWithTag("empty-folder").assertIsNotEnabled()
        compose.onNodeWithTag("empty-folder-refused").assertTextEquals(Italian.denied(AccountAction.MOVE_DELETE, PermissionKind.WRITE))
    }

    /** The question counts what a PEC user must not lose unawares, in each language. */
    @Test
    fun theQuestionNamesTheProofsThatGo() {
        val e = FolderEmptying(messages = 5u, receipts = 2u, certified = 1u)
        assertEquals("5 messaggi saranno eliminati definitivamente, anche dal server. " +
            "Tra questi: 1 PEC e 2 ricevute; conservane una copia se ti servono come prova.", Italian.emptyFolderQuestion(e))
        assertEquals("1 message will be deleted for good, here and on the server.",
            English.emptyFolderQuestion(FolderEmptying(messages = 1u, receipts = 0u, certified = 0u)))
        assertEquals("5 mesaje vor fi șterse definitiv, aici și pe server. " +
            "Printre ele: 1 PEC și 2 confirmări; păstrați o copie dacă vă pot servi ca dovadă.", Romanian.emptyFolderQuestion(e))
    }
}
