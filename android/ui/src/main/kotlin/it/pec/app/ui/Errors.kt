package it.pec.app.ui

import it.pec.core.PecException
import it.pec.core.errorCode
import it.pec.core.ui.CoreEventException

/**
 * [work]'s result, or `null` after giving [failed] the code of its failure. A cancellation is not a
 * failure: it goes on, so a screen that left does not show an error.
 */
suspend fun <T> orFailed(failed: (String) -> Unit, work: suspend () -> T): T? = try {
    work()
} catch (e: Exception) {
    if (e is kotlinx.coroutines.CancellationException) throw e
    failed(codeOf(e))
    null
}

/** The stable code of a failure from the core (thrown or reported to a listener); `internal` else. */
fun codeOf(e: Throwable): String = when (e) {
    is PecException -> errorCode(e)
    is CoreEventException -> e.event.code
    else -> "internal"
}
