package it.pec.app.ui

import androidx.compose.runtime.Composable
import it.pec.core.SharedFile

/**
 * What only the platform can do, for the screens: the Android glue implements it (a locked-down
 * WebView, the share sheet through the FileProvider, the print framework, the app's cache
 * folder); the desktop tests and `make screenshots` use a recording one.
 */
interface Platform {
    /** Draw an invoice's HTML (self-contained, rendered by the core): no script, no network. */
    @Composable
    fun Html(html: String)

    /** Hand a file held in memory to the share sheet. */
    fun share(file: SharedFile)

    /** Hand files on disk (saved attachments, exported evidence) to the share sheet. */
    fun shareFiles(paths: List<String>)

    /**
     * Let the user pick files (the system picker, several at once) and hand back the paths of
     * private copies, streamed to disk: never a whole 100 MB file in memory.
     */
    fun pickFiles(onPicked: (List<String>) -> Unit)

    /** Open a saved file with the app the user picks. */
    fun open(path: String)

    /** Print an invoice (or save it as PDF) through the platform's print framework. */
    fun print(html: String, jobName: String)

    /**
     * The phone's contacts as vCards, for the core to import (asking the user's permission first);
     * `null` when it was refused. Called back off the main thread.
     */
    fun readPhoneContacts(onRead: (ByteArray?) -> Unit)

    /** A private folder for files the app writes before handing them on (emptied by the platform). */
    val filesDir: String
}
