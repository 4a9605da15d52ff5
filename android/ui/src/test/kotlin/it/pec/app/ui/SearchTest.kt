package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import it.pec.core.App
import it.pec.core.ViewRef
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/** Search by words, sender, period and folder; the core finds, the screen lists what it found. */
class SearchTest {
    @get:Rule val compose = createComposeRule()

    private fun mail(from: String, subject: String, n: Int, date: String) =
        ("From: $from\r\nTo: ufficio@pec.example\r\nSubject: $subject\r\nMessage-ID: <s$n@x>\r\n" +
            "Date: $date\r\n\r\nTesto della pratica $n\r\n").toByteArray()

    private fun seed(app: App): Triple<Long, Map<String, Long>, Long> = runBlocking {
        val acc = app.addAccount(offlineAccount("ufficio@pec.example"))
        val recent = java.time.ZonedDateTime.now().minusDays(1)
            .format(java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
        val ids = mapOf(
            "rossi" to app.importInto(acc.id, null, mail("rossi@pec.example", "Contratto di locazione", 1, recent)).id,
            "bianchi" to app.importInto(acc.id, null, mail("bianchi@pec.example", "Contratto di fornitura", 2,
                "Mon, 4 Jan 2021 09:00:00 +0100")).id,
            "archivio" to app.importInto(acc.id, "Archivio", mail("rossi@pec.example", "Contratto vecchio", 3,
                "Tue, 5 Jan 2021 09:00:00 +0100")).id,
        )
        val inbox = app.folderMenu(acc.id).first { it.name == "INBOX" }.view as ViewRef.Folder
        Triple(acc.id, ids, inbox.id)
    }

    @Test
    fun wordsSenderPeriodAndFolderNarrowTheResults() = withApp { app, scope ->
        val (account, ids, inbox) = seed(app)
        val presenter = SearchPresenter(app, scope, account, inbox)
        compose.setContent {
            val s by presenter.state.collectAsState()
            SearchScreen(s, Italian, presenter) {}
        }
        fun found() = presenter.state.value.results?.map { it.id }?.toSet()
        compose.onNodeWithTag("search-text").performTextInput("contratto")
        compose.waitUntil(10_000) { found() == ids.values.toSet() }

        compose.onNodeWithTag("search-filters").performClick()
        compose.onNodeWithTag("search-from").performTextInput("rossi")
        compose.waitUntil(10_000) { found() == setOf(ids.getValue("rossi"), ids.getValue("archivio")) }

        compose.onNodeWithTag("search-in-folder").performClick()
        compose.waitUntil(10_000) { found() == setOf(ids.getValue("rossi")) }

        compose.onNodeWithTag("search-in-folder").performClick()
        compose.onNodeWithTag("period-month").performClick()
        compose.waitUntil(10_000) { found() == setOf(ids.getValue("rossi")) }
        compose.onNodeWithTag("row-${ids.getValue("rossi")}").assertExists()

        compose.onNodeWithTag("search-text").performTextInput("zzzz")
        compose.waitUntil(10_000) { found() == emptySet<Long>() }
        // The screen draws what the state says a moment after it changes.
        compose.waitUntil(10_000) { compose.onAllNodes(hasTestTag("nothing-found")).fetchSemanticsNodes().isNotEmpty() }
        assertEquals(SearchPeriod.MONTH, presenter.state.value.period)
    }
}
