package it.pec.app.ui

import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import it.pec.core.SandboxRule
import it.pec.core.ViewRef
import it.pec.core.corpusFile
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.ClassRule
import org.junit.Rule
import org.junit.Test

/** The app on screen keeps the mail current: an invoice delivered after it opened shows in the inbox unasked. */
class LiveTest {
    companion object {
        @ClassRule @JvmField
        val rule = SandboxRule("--accounts", "1")
    }

    @get:Rule val compose = createComposeRule()

    @Test
    fun mailDeliveredWhileTheAppIsShownAppearsInTheList() = withApp { app, _ ->
        val sb = rule.process!!
        val (user, password) = sb.accounts().first()
        val me = runBlocking { sb.addAccount(app, user, password) }
        compose.setContent { PecApp(app, Italian, RecordingPlatform(app.dataDir()), keepInSync = true) }
        compose.waitUntil(60_000) { app.syncStatus().lastSync != null }
        assertEquals(0, runBlocking { app.listPage(me.id, ViewRef.Inbox, null, 50u).rows.size })

        val xml = corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml")
        sb.injectInvoice(user, xml)
        compose.waitUntil(60_000) { runBlocking { app.listPage(me.id, ViewRef.Inbox, null, 50u).rows.isNotEmpty() } }
        val row = runBlocking { app.listPage(me.id, ViewRef.Inbox, null, 50u).rows.single() }
        compose.waitUntil(10_000) { compose.onAllNodes(hasTestTag("row-${row.id}")).fetchSemanticsNodes().isNotEmpty() }
    }
}
