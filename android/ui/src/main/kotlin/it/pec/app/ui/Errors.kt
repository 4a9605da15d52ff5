package it.pec.app.ui

import it.pec.core.PecException
import it.pec.core.errorCode
import it.pec.core.ui.CoreEventException

/** The stable code of a failure from the core (thrown or reported to a listener); `internal` else. */
fun codeOf(e: Throwable): String = when (e) {
    is PecException -> errorCode(e)
    is CoreEventException -> e.event.code
    else -> "internal"
}
