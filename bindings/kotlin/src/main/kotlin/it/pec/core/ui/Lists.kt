package it.pec.core.ui

import it.pec.core.ListCounts
import it.pec.core.ListRow
import it.pec.core.ListUpdate

/**
 * The rows a list shows after an update of `App.watchList`: the rows of a reset, or the removals,
 * then the insertions at their index, then the updated rows in place. Only data is moved here;
 * which rows changed is the core's to say.
 */
fun List<ListRow>.applying(update: ListUpdate): List<ListRow> = when (update) {
    is ListUpdate.Reset -> update.rows
    is ListUpdate.Changes -> {
        val gone = update.removed.toHashSet()
        val rows = filterTo(ArrayList(size + update.inserted.size)) { it.id !in gone }
        update.inserted.forEach { rows.add(minOf(it.index.toInt(), rows.size), it.row) }
        val fresh = update.updated.associateBy { it.id }
        rows.map { fresh[it.id] ?: it }
    }
}

/** The counts an update carries. */
val ListUpdate.counts: ListCounts
    get() = when (this) {
        is ListUpdate.Reset -> counts
        is ListUpdate.Changes -> counts
    }
