package it.pec.app.ui

import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * A PEC being written survives the system closing the app: the core keeps it as it is typed, and
 * the next start opens it again as it was. Leaving the screen forgets it, and so does sending.
 */
class ComposeKeptTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun aComposeTheSystemClosedOpensAgainAsItWas() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val platform = RecordingPlatform(app.dataDir())
        var navigator by mutableStateOf(Navigator())
        compose.setContent { key(navigator) { PecApp(app, Italian, platform, navigator) } }
        navigator.open(Screen.Compose(acc.id))
        compose.onNodeWithTag("to-input").performTextInput("studio@pec.it")
        compose.onNodeWithTag("to-add").performClick()
        compose.onNodeWithTag("subject").performTextInput("Ricorso")
        compose.onNodeWithTag("text").performTextInput("Gentile avvocato,")
        val kept = { runBlocking { app.keptComposes() } }
        compose.waitUntil(10_000) { kept().singleOrNull()?.draft?.text == "Gentile avvocato," }

        // The process ends while the PEC is on screen: a new activity starts with a new back stack.
        navigator = Navigator()
        compose.waitUntil(10_000) { navigator.top is Screen.Compose }
        compose.onNodeWithTag("subject").assertTextContains("Ricorso")
        compose.onNodeWithTag("text").assertTextContains("Gentile avvocato,")
        compose.onNodeWithTag("to-chip-studio@pec.it").assertTextContains("studio@pec.it")
        // Changes to the reopened compose are kept in the same place.
        compose.onNodeWithTag("subject").performTextInput("Nuovo ")
        compose.waitUntil(10_000) { kept().singleOrNull()?.draft?.subject?.contains("Nuovo") == true }

        // Leaving the screen forgets it: the next start opens the mailbox.
        compose.onNodeWithTag("back").performClick()
        compose.waitUntil(10_000) { kept().isEmpty() }
        navigator = Navigator()
        compose.waitForIdle()
        assertEquals(Screen.Mailbox, navigator.top)
    }

    @Test
    fun sendingForgetsTheKeptCompose() = withApp { app, _ ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val platform = RecordingPlatform(app.dataDir())
        val navigator = Navigator()
        compose.setContent { PecApp(app, Italian, platform, navigator) }
        navigator.open(Screen.Compose(acc.id))
        compose.onNodeWithTag("to-input").performTextInput("studio@pec.it")
        compose.onNodeWithTag("to-add").performClick()
        compose.onNodeWithTag("subject").performTextInput("Contratto")
        val kept = { runBlocking { app.keptComposes() } }
        compose.waitUntil(10_000) { kept().singleOrNull()?.draft?.subject == "Contratto" }
        compose.onNodeWithTag("send").performScrollTo()
        compose.waitUntil(10_000) { runCatching { compose.onNodeWithTag("send").assertIsEnabled() }.isSuccess }
        compose.onNodeWithTag("send").performClick()
        // Queued (the offline account cannot submit it, so it waits in the outbox): no longer kept.
        compose.waitUntil(10_000) { navigator.top !is Screen.Compose }
        assertEquals(emptyList<Any>(), kept())
    }
}
