package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import it.pec.core.MessageKind
import it.pec.core.ViewRef
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import it.pec.core.corpusFile
import org.junit.Rule
import org.junit.Test

/** A message list against the real facade: pages, the "hide receipts" switch, live updates. */
class MessageListTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun hideReceiptsLeavesTheMessagesAndANewImportShowsUp() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val xml = corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml").readBytes()
        val ids = runBlocking {
            listOf(
                app.importInto(acc.id, null, corpusFile("pec/biagioT_java-pec-parser/accettazione.eml").readBytes()).id,
                app.importInto(acc.id, null, corpusFile("pec/biagioT_java-pec-parser/consegna.eml").readBytes()).id,
            )
        }
        val presenter = MessageListPresenter(app, scope, acc.id, ViewRef.Inbox, pageSize = 1u)
        runBlocking { withTimeout(10_000) { presenter.state.first { it.rows.size == 1 } } }
        assertEquals(2u, presenter.state.value.total)
        assertTrue(presenter.state.value.hasMore)
        // Drawn, the list is at its end at once: it asks for the next page by itself.
        compose.setContent {
            val s by presenter.state.collectAsState()
            MessageListScreen(s, Italian, presenter::setHideReceipts, onOpen = {}, onLoadMore = presenter::loadMore)
        }
        compose.waitUntil(10_000) { presenter.state.value.rows.size == 2 && !presenter.state.value.hasMore }
        assertTrue(presenter.state.value.rows.all { it.kind == MessageKind.RECEIPT })
        ids.forEach { compose.onNodeWithTag("row-$it").assertExists() }

        // An import is a change of this account: the list reads itself again.
        val invoice = runBlocking { app.importInto(acc.id, null, invoiceMail("IT01234567890_FPR01.xml", xml)).id }
        compose.waitUntil(10_000) { presenter.state.value.rows.any { it.id == invoice } }

        // Receipts hidden: only the invoice's envelope stays.
        compose.onNodeWithTag("hide-receipts").performClick()
        compose.waitUntil(10_000) { presenter.state.value.hideReceipts && presenter.state.value.rows.size == 1 }
        compose.onNodeWithTag("row-$invoice").assertExists()
        ids.forEach { compose.onNodeWithTag("row-$it").assertDoesNotExist() }
    }

    @Test
    fun anEmptyFolderSaysSo() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val presenter = MessageListPresenter(app, scope, acc.id, ViewRef.Invoices)
        runBlocking { withTimeout(10_000) { presenter.state.first { !it.loading } } }
        compose.setContent {
            val s by presenter.state.collectAsState()
            MessageListScreen(s, Romanian, presenter::setHideReceipts, onOpen = {}, onLoadMore = {})
        }
        compose.onNodeWithText("Niciun mesaj").assertExists()
    }

    /** Pulling the list down syncs the account; a sync that cannot reach the server says why. */
    @Test
    fun aRefreshThatCannotReachTheServerSaysWhy() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val presenter = MessageListPresenter(app, scope, acc.id, ViewRef.Inbox)
        runBlocking { withTimeout(10_000) { presenter.state.first { !it.loading } } }
        presenter.refresh()
        val done = runBlocking { withTimeout(30_000) { presenter.state.first { !it.refreshing && it.errorCode != null } } }
        assertEquals("network", done.errorCode)
    }
}
