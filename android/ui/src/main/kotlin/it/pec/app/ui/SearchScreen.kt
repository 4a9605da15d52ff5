package it.pec.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.FilterChip
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp

/** Search: the words, then (on demand) sender, recipient, subject, period and folder; the rows found. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun SearchScreen(state: SearchState, strings: Strings, presenter: SearchPresenter, onOpen: (Long) -> Unit) {
    Column(Modifier.fillMaxWidth().testTag("search")) {
        OutlinedTextField(state.text, presenter::setText, Modifier.fillMaxWidth().padding(horizontal = 16.dp).testTag("search-text"),
            label = { Text(strings.searchWords) }, singleLine = true)
        var filters by remember { mutableStateOf(false) }
        TextButton({ filters = !filters }, Modifier.padding(horizontal = 4.dp).testTag("search-filters")) { Text(strings.searchFilters) }
        if (filters) {
            Column(Modifier.padding(horizontal = 16.dp)) {
                OutlinedTextField(state.from, presenter::setFrom, Modifier.fillMaxWidth().testTag("search-from"),
                    label = { Text(strings.searchFrom) }, singleLine = true)
                OutlinedTextField(state.to, presenter::setTo, Modifier.fillMaxWidth().testTag("search-to"),
                    label = { Text(strings.to) }, singleLine = true)
                OutlinedTextField(state.subject, presenter::setSubject, Modifier.fillMaxWidth().testTag("search-subject"),
                    label = { Text(strings.subject) }, singleLine = true)
                FlowRow {
                    SearchPeriod.entries.forEach { p ->
                        FilterChip(state.period == p, { presenter.setPeriod(p) }, label = { Text(strings.period(p)) },
                            modifier = Modifier.padding(end = 4.dp).testTag("period-${p.name.lowercase()}"))
                    }
                }
                if (presenter.folderId != null) {
                    Row(verticalAlignment = Alignment.CenterVertically) {
                        Text(strings.onlyThisFolder, Modifier.weight(1f))
                        Switch(state.inFolder, presenter::setInFolder, Modifier.testTag("search-in-folder"))
                    }
                }
            }
        }
        state.errorCode?.let { Text(strings.error(it), Modifier.padding(16.dp).testTag("search-error")) }
        val results = state.results
        if (results != null && results.isEmpty() && !state.searching) {
            Text(strings.nothingFound, Modifier.padding(16.dp).testTag("nothing-found"))
        }
        LazyColumn {
            items(results.orEmpty(), key = { it.id }) { row -> MessageLine(row, strings, onOpen) }
        }
    }
}
