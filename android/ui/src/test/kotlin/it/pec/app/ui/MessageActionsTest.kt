package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import it.pec.core.Delegation
import it.pec.core.Permissions
import it.pec.core.corpusFile
import kotlinx.coroutines.runBlocking
import org.junit.Rule
import org.junit.Test

/** On the message screen, what a read-only delegate may not do is disabled with the reason. */
class MessageActionsTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun deleteIsRefusedWithTheReasonAndMarkUnreadWorks() = withApp { app, scope ->
        val reader = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false)
        val acc = runBlocking {
            app.addAccount(offlineAccount("ufficio@pec.example").copy(delegation = Delegation("mario.rossi", reader)))
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
        compose.onNodeWithTag("delete").assertIsNotEnabled()
        compose.onNodeWithTag("delete-refused")
            .assertTextEquals("Spostare o eliminare i messaggi: la tua delega non comprende «Scrittura»")
        compose.onNodeWithTag("mark-unread").assertIsEnabled().performClick()
        compose.waitUntil(10_000) { presenter.state.value.view?.row?.seen == false }
    }
}
