package it.pec.app

import android.app.Activity
import android.content.Intent
import android.print.PrintManager
import android.webkit.WebView
import android.webkit.WebViewClient
import androidx.compose.runtime.Composable
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.FileProvider
import it.pec.core.SharedFile
import java.io.File

/**
 * An invoice's HTML (rendered by the core, self-contained) in a WebView that runs no script,
 * loads nothing from the network and reads no file.
 */
@Composable
fun InvoiceWebView(html: String) {
    AndroidView(
        factory = { context -> lockedDown(WebView(context)) },
        update = { it.loadDataWithBaseURL(null, html, "text/html", "utf-8", null) },
    )
}

private fun lockedDown(view: WebView): WebView = view.apply {
    settings.javaScriptEnabled = false
    settings.blockNetworkLoads = true
    settings.allowFileAccess = false
    settings.allowContentAccess = false
}

/** Hand a file to the share sheet through the FileProvider, readable by the chosen app only. */
fun share(activity: Activity, file: SharedFile) {
    val dir = File(activity.cacheDir, "shared").apply { mkdirs() }
    // The name came from a message: only its last component is used.
    val target = File(dir, File(file.fileName).name.ifBlank { "file" })
    target.writeBytes(file.data)
    val uri = FileProvider.getUriForFile(activity, "${activity.packageName}.files", target)
    val send = Intent(Intent.ACTION_SEND)
        .setType(file.mime)
        .putExtra(Intent.EXTRA_STREAM, uri)
        .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
    activity.startActivity(Intent.createChooser(send, null))
}

/** Print an invoice's HTML (or save it as PDF) through the platform's print framework. */
fun print(activity: Activity, html: String, jobName: String) {
    val view = lockedDown(WebView(activity))
    view.webViewClient = object : WebViewClient() {
        override fun onPageFinished(page: WebView, url: String?) {
            val printing = activity.getSystemService(PrintManager::class.java)
            printing.print(jobName, page.createPrintDocumentAdapter(jobName), null)
        }
    }
    view.loadDataWithBaseURL(null, html, "text/html", "utf-8", null)
}
