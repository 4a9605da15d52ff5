package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertIsSelected
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import it.pec.core.Provider
import it.pec.core.SandboxProcess
import it.pec.core.SandboxRule
import org.junit.Assert.assertEquals
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test

/**
 * The add-account screen: the provider guessed from the address, the warning for unconfirmed
 * servers, and the core's login check against the sandbox, its refusal translated.
 */
class AccountSetupTest {
    companion object {
        @ClassRule @JvmField
        val rule = SandboxRule("--accounts", "1")
        private val sandbox get() = rule.process
    }

    @get:Rule val compose = createComposeRule()

    @Test
    fun theProviderIsGuessedAndAnUnconfirmedOneSaysSo() = withApp { app, scope ->
        val presenter = AccountSetupPresenter(app, scope)
        compose.setContent {
            val s by presenter.state.collectAsState()
            AccountSetupScreen(s, Italian, presenter)
        }
        compose.onNodeWithTag("address").performTextInput("studio@pec.it")
        compose.onNodeWithTag("provider-aruba").assertIsSelected()
        compose.onNodeWithTag("unconfirmed").assertDoesNotExist()
        compose.onNodeWithTag("address").performTextReplacement("ufficio@sicurezzapostale.it")
        compose.onNodeWithTag("provider-namirial").assertIsSelected()
        compose.onNodeWithTag("unconfirmed").assertTextEquals("Server non confermati: verificali con il tuo gestore")
        // A provider the user picks stays picked whatever the address says.
        compose.onNodeWithTag("provider-custom").performClick()
        compose.onNodeWithTag("address").performTextReplacement("studio@pec.it")
        compose.onNodeWithTag("provider-custom").assertIsSelected()
        compose.onNodeWithTag("imap").assertExists()
    }

    @Test
    fun aWrongPasswordIsRefusedInWordsAndTheRightOneAddsTheAccount() = withApp { app, scope ->
        val sb = sandbox!!
        val (address, password) = sb.accounts()[0]
        val presenter = AccountSetupPresenter(app, scope)
        compose.setContent {
            val s by presenter.state.collectAsState()
            AccountSetupScreen(s, Italian, presenter)
        }
        compose.onNodeWithTag("address").performTextInput(address)
        compose.onNodeWithTag("provider-custom").performClick()
        compose.onNodeWithTag("imap").performTextInput(sb.field("imap"))
        compose.onNodeWithTag("smtp").performTextInput(sb.field("smtp"))
        compose.onNodeWithTag("ca-file").performTextInput(sb.field("ca_file"))
        compose.onNodeWithTag("password").performTextInput("sbagliata")
        compose.onNodeWithTag("check-and-add").performClick()
        compose.waitUntil(30_000) { presenter.state.value.errorCode != null }
        assertEquals("auth", presenter.state.value.errorCode)
        compose.onNodeWithTag("setup-error").assertTextEquals("Accesso rifiutato: controlla utente e password.")

        compose.onNodeWithTag("password").performTextReplacement(password)
        compose.onNodeWithTag("check-and-add").performClick()
        compose.waitUntil(30_000) { presenter.state.value.added != null }
        val added = presenter.state.value.added!!
        assertEquals(address, added.address)
        assertEquals(Provider.CUSTOM, added.provider)
    }
}
