package it.pec.app.ui

import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
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
    fun unlockedTheInboxIsShownAndTheMenuOpensTheDrawer() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val receipt = runBlocking {
            app.importInto(acc.id, null, corpusFile("pec/biagioT_java-pec-parser/accettazione.eml").readBytes()).id
        }
        compose.setContent { PecApp(app, English) }
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
}

private fun androidx.compose.ui.test.junit4.ComposeContentTestRule.onAllNodesWithTagExists(tag: String): Boolean =
    onAllNodes(androidx.compose.ui.test.hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()
