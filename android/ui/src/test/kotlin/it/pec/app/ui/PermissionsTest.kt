package it.pec.app.ui

import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import it.pec.core.AccountAction
import it.pec.core.Delegation
import it.pec.core.Permissions
import it.pec.core.PermissionKind
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test

/** A delegate sees its five permissions and each action it may not take, with the core's reason. */
class PermissionsTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun aReadOnlyDelegateSeesWhatItMayNotDoAndWhy() = withApp { app, _ ->
        val reader = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false)
        val delegate = runBlocking {
            app.addAccount(offlineAccount("ufficio@pec.example").copy(delegation = Delegation("mario.rossi", reader)))
        }
        val owner = runBlocking { app.addAccount(offlineAccount("studio@pec.example")) }
        assertTrue("the owner may do everything", owner.denied.isEmpty())
        assertEquals(
            listOf(AccountAction.SEND to PermissionKind.SEND, AccountAction.MOVE_DELETE to PermissionKind.WRITE,
                AccountAction.EDIT_SETTINGS to PermissionKind.SETTINGS),
            delegate.denied.map { it.action to it.missing },
        )
        compose.setContent { PermissionsScreen(delegate, Italian) }
        compose.onNodeWithTag("permission-send").assertTextEquals("Invio", "no")
        compose.onNodeWithTag("permission-read").assertTextEquals("Lettura", "sì")
        compose.onNodeWithTag("denied-send").assertTextEquals("Inviare: la tua delega non comprende «Invio»")
        compose.onNodeWithTag("denied-sync").assertDoesNotExist()
    }
}
