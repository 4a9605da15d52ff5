package it.pec.app.ui

import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import kotlinx.coroutines.runBlocking
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import it.pec.core.corpusFile
import org.junit.Rule
import org.junit.Test

/** The app's frame: locked, nothing of the mailbox is drawn; unlocked, the inbox and the drawer. */
class AppTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun theLockScreenShowsNothingOfTheMailbox() {
        var asked = 0
        compose.setContent { LockScreen(Italian) { asked++ } }
        compose.onNodeWithText("Sblocca la PEC").assertExists()
        compose.onNodeWithTag("message-list").assertDoesNotExist()
        compose.onNodeWithTag("drawer").assertDoesNotExist()
        compose.onNodeWithTag("unlock").performClick()
        compose.runOnIdle { assertEquals(1, asked) }
    }

    @Test
    fun aLostKeyStartsAgainOnlyAfterTheUserConfirms() {
        var startedAgain = 0
        compose.setContent { KeyLostScreen(English) { startedAgain++ } }
        compose.onNodeWithText("The key of this device changed").assertExists()
        compose.onNodeWithTag("start-again").performClick()
        compose.onNodeWithText("Cancel").performClick()
        compose.runOnIdle { assertEquals(0, startedAgain) }
        compose.onNodeWithTag("start-again").performClick()
        compose.onNodeWithTag("start-again-confirm").performClick()
        compose.runOnIdle { assertEquals(1, startedAgain) }
        compose.onNodeWithTag("start-again-confirm").assertDoesNotExist()
    }

    @Test
    fun unlockedTheInboxIsShownAndTheMenuOpensTheDrawer() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val receipt = runBlocking {
            app.importInto(acc.id, null, corpusFile("pec/biagioT_java-pec-parser/accettazione.eml").readBytes()).id
        }
        compose.setContent { PecApp(app, English, RecordingPlatform(app.dataDir())) }
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("row-$receipt") }
        compose.onNodeWithTag("title").assertTextEquals("Inbox")
        compose.onNodeWithTag("menu").performClick()
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("menu-0") }
        compose.onNodeWithTag("menu-0").assertTextEquals("Inbox")
        compose.onNodeWithText("Receipts").performClick()
        compose.waitUntil(10_000) {
            compose.onAllNodes(hasTestTag("title") and hasText("Receipts")).fetchSemanticsNodes().isNotEmpty()
        }
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("row-$receipt") }
    }

    /** A row opens its message, back returns to the list, the write button opens compose, the drawer's links their screens. */
    @Test
    fun theListOpensAMessageComposeAndTheDrawersScreens() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val receipt = runBlocking {
            app.importInto(acc.id, null, corpusFile("pec/biagioT_java-pec-parser/accettazione.eml").readBytes()).id
        }
        val navigator = Navigator()
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir()), navigator) }
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("row-$receipt") }
        compose.onNodeWithTag("row-$receipt").performClick()
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("banner-text") }
        assertEquals(Screen.Message(receipt), navigator.top)
        compose.onNodeWithTag("back").performClick()
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("message-list") }
        compose.onNodeWithTag("message").assertDoesNotExist()

        compose.onNodeWithTag("write").performClick()
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("compose") }
        compose.onNodeWithTag("title").assertTextEquals("Scrivi")
        compose.runOnIdle { assertTrue(navigator.back()) }

        compose.onNodeWithTag("menu").performClick()
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("link-settings") }
        compose.onNodeWithTag("link-settings").performClick()
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("settings") }
        compose.onNodeWithTag("title").assertTextEquals("Impostazioni")
    }

    /** With no mailbox yet, the app opens on the account setup. */
    @Test
    fun withoutAnAccountTheSetupIsShown() = withApp { app, _ ->
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir())) }
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("address") }
        compose.onNodeWithTag("message-list").assertDoesNotExist()
    }

    /** A file shared into the app while it is locked waits behind the lock, then opens compose with it attached. */
    @Test
    fun aFileSharedWhileLockedOpensComposeAfterTheUnlock() = withApp { app, _ ->
        runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val pdf = java.io.File(app.dataDir(), "atto.pdf").apply { writeBytes("%PDF-1.4 atto".toByteArray()) }
        val navigator = Navigator()
        navigator.shareIn(listOf(pdf.path))
        var locked by mutableStateOf(true)
        compose.setContent {
            if (locked) LockScreen(Italian) { locked = false } else PecApp(app, Italian, RecordingPlatform(app.dataDir()), navigator)
        }
        compose.onNodeWithTag("compose").assertDoesNotExist()
        compose.onNodeWithTag("unlock").performClick()
        compose.waitUntil(10_000) { compose.onAllNodesWithTagExists("attachment-atto.pdf") }
        compose.onNodeWithTag("title").assertTextEquals("Scrivi")
        compose.runOnIdle { assertTrue(navigator.shared.value.isEmpty()) }
    }
}

private fun androidx.compose.ui.test.junit4.ComposeContentTestRule.onAllNodesWithTagExists(tag: String): Boolean =
    onAllNodes(androidx.compose.ui.test.hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()
