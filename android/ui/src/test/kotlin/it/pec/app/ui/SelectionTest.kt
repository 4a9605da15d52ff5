package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertIsSelected
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.longClick
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTouchInput
import it.pec.core.Delegation
import it.pec.core.Permissions
import it.pec.core.ViewRef
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * Several messages at once: a long press chooses a row, a tap another, and the actions apply to
 * all of them (read, unread, moved, deleted); a delegate without "write" sees delete disabled with
 * the core's reason.
 */
class SelectionTest {
    @get:Rule val compose = createComposeRule()

    private fun exists(tag: String) = compose.onAllNodes(hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

    private fun mail(n: Int) = ("From: Studio $n <studio$n@pec.example.it>\r\nTo: ufficio@pec.example\r\n" +
        "Subject: Pratica $n\r\nDate: Mon, 23 Nov 2026 0$n:00:00 +0100\r\nMessage-ID: <sel-$n@example.it>\r\n\r\nTesto.\r\n").toByteArray()

    @Test
    fun chosenMessagesAreReadAndDeletedTogether() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val ids = runBlocking { (1..3).map { app.importInto(acc.id, null, mail(it)).id } }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
        compose.waitUntil(10_000) { ids.all { exists("row-$it") } }

        val seen = { id: Long -> runBlocking { app.message(id) }.row.seen }
        // Imported messages are read: all three unread first, then two of them read.
        compose.onNodeWithTag("row-${ids[0]}").performTouchInput { longClick() }
        compose.waitUntil(10_000) { exists("selection") }
        compose.onNodeWithTag("selection-count").assertTextEquals("1 selezionato")
        compose.onNodeWithTag("row-${ids[1]}").performClick()
        compose.onNodeWithTag("row-${ids[2]}").performClick()
        compose.onNodeWithTag("selection-count").assertTextEquals("3 selezionati")
        compose.onNodeWithTag("selection-unread").performClick()
        compose.waitUntil(10_000) { !exists("selection") && ids.none(seen) }

        compose.onNodeWithTag("row-${ids[0]}").performTouchInput { longClick() }
        compose.onNodeWithTag("row-${ids[1]}").performClick()
        compose.onNodeWithTag("selection-count").assertTextEquals("2 selezionati")
        compose.onNodeWithTag("row-${ids[1]}").assertIsSelected()
        compose.onNodeWithTag("selection-read").performClick()
        compose.waitUntil(10_000) { !exists("selection") }
        assertEquals(listOf(true, true, false), ids.map(seen))

        // Two chosen move to another folder of the account (the core's list of folders).
        val clients = runBlocking { app.importInto(acc.id, "Clienti", mail(4)) }.id
        val folder = { id: Long -> runBlocking { app.message(id) }.row.folderId }
        compose.onNodeWithTag("row-${ids[0]}").performTouchInput { longClick() }
        compose.onNodeWithTag("row-${ids[1]}").performClick()
        compose.onNodeWithTag("selection-move").performClick()
        compose.waitUntil(10_000) { exists("selection-move-${folder(clients)}") }
        compose.onNodeWithTag("selection-move-${folder(clients)}").performClick()
        compose.waitUntil(10_000) { !exists("row-${ids[0]}") && !exists("row-${ids[1]}") }
        assertEquals(listOf(folder(clients), folder(clients)), listOf(ids[0], ids[1]).map(folder))

        compose.onNodeWithTag("row-${ids[2]}").performTouchInput { longClick() }
        compose.onNodeWithTag("selection-delete").performClick()
        compose.waitUntil(10_000) { !exists("row-${ids[2]}") }
        val trash = runBlocking { app.findFolder(acc.id, "trash") }?.view as ViewRef.Folder
        assertEquals(trash.id, folder(ids[2]))
    }

    /** "Mark all as read" reads the whole list, beyond the rows loaded, and then goes away. */
    @Test
    fun markAllReadReadsTheWholeList() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val ids = runBlocking { (1..5).map { app.importInto(acc.id, null, mail(it)).id } }
        runBlocking { app.applyAll(ids, it.pec.core.MessageAction.MarkUnseen) }
        val presenter = MessageListPresenter(app, kotlinx.coroutines.CoroutineScope(kotlinx.coroutines.Dispatchers.Default), acc.id, ViewRef.Inbox, pageSize = 2u)
        compose.setContent {
            val state by presenter.state.collectAsState()
            MessageListScreen(state, Italian, {}, {}, {}, onMarkAllRead = presenter::markAllRead)
        }
        compose.waitUntil(10_000) { presenter.state.value.unread == 5u && exists("mark-all-read") }
        assertEquals("two rows loaded of five", 2, presenter.state.value.rows.size)
        compose.onNodeWithTag("mark-all-read").performClick()
        compose.waitUntil(10_000) { presenter.state.value.unread == 0u }
        assertEquals(emptyList<Long>(), ids.filterNot { runBlocking { app.message(it) }.row.seen })
        compose.onNodeWithTag("mark-all-read").assertDoesNotExist()
    }

    @Test
    fun aDelegateWithoutWriteSeesWhyItMayNotDelete() = withApp { app, _ ->
        val reader = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false)
        val acc = runBlocking {
            app.addAccount(offlineAccount("ufficio@pec.example").copy(delegation = Delegation("mario.rossi", reader)))
        }
        val id = runBlocking { app.importInto(acc.id, null, mail(1)).id }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
        compose.waitUntil(10_000) { exists("row-$id") }
        compose.onNodeWithTag("row-$id").performTouchInput { longClick() }
        compose.waitUntil(10_000) { exists("selection") }
        compose.onNodeWithTag("selection-delete").assertIsNotEnabled()
        compose.onNodeWithTag("selection-delete-refused").assertTextEquals(
            Italian.denied(it.pec.core.AccountAction.MOVE_DELETE, it.pec.core.PermissionKind.WRITE))
        compose.onNodeWithTag("selection-unread").performClick()
        compose.waitUntil(10_000) { !runBlocking { app.message(id) }.row.seen }
    }
}
