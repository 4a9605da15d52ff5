package it.pec.app.ui

import androidx.compose.material3.Text
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import it.pec.core.InvoiceIntegrity
import it.pec.core.InvoiceStyle
import it.pec.core.corpusFile
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test

/** The invoice screen on an invoice the SdI delivered: both styles, the headline, the original. */
class InvoiceTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun bothStylesTheHeadlineAndTheOriginalToShare() = withApp { app, scope ->
        val acc = runBlocking { app.addAccount(offlineAccount("ufficio@pec.example")) }
        val xml = corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml").readBytes()
        val id = runBlocking { app.importInto(acc.id, null, invoiceMail("IT01234567890_FPR01.xml", xml)).id }
        val presenter = InvoicePresenter(app, scope, id)
        val shared = mutableListOf<String>()
        compose.setContent {
            val s by presenter.state.collectAsState()
            InvoiceScreen(s, Italian, presenter::setStyle, onShare = {
                shared += runBlocking { presenter.original() }.fileName
            }, onPrint = {}) { html -> Text(html.length.toString(), Modifier.testTag("html")) }
        }
        compose.waitUntil(10_000) { presenter.state.value.view != null }
        val compact = presenter.state.value.view!!
        assertEquals(InvoiceIntegrity.NOT_SIGNED, compact.integrity)
        assertTrue(compact.html.contains("<html", ignoreCase = true))
        compose.onNodeWithTag("supplier").assertTextEquals(compact.supplier!!)
        compose.onNodeWithTag("integrity").assertTextEquals("Non firmata: nulla ne garantisce l'integrità")

        compose.onNodeWithTag("style-ministerial").performClick()
        compose.waitUntil(10_000) { presenter.state.value.view?.style == InvoiceStyle.MINISTERIAL }
        assertNotEquals(compact.html, presenter.state.value.view!!.html)

        compose.onNodeWithTag("share").performClick()
        compose.runOnIdle { assertEquals(listOf("IT01234567890_FPR01.xml"), shared) }
    }
}
