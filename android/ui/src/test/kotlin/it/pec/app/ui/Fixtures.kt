package it.pec.app.ui

import it.pec.core.App
import it.pec.core.CredentialBackend
import it.pec.core.CustomServer
import it.pec.core.NewAccount
import it.pec.core.Provider
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import androidx.compose.ui.platform.testTag
import java.io.File
import java.nio.file.Files
import java.util.Base64

/** A fresh data directory with an App on it, and a scope for presenters. */
fun withApp(block: (App, CoroutineScope) -> Unit) {
    val dir = Files.createTempDirectory("pec-ui").toFile()
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    try {
        App(dir.path, CredentialBackend.MEMORY).use { block(it, scope) }
    } finally {
        scope.coroutineContext[kotlinx.coroutines.Job]?.cancel()
        dir.deleteRecursively()
    }
}

/** An account with no server behind it: saved without the login check. */
fun offlineAccount(address: String) = NewAccount(
    provider = Provider.CUSTOM,
    address = address,
    password = "pw",
    displayName = null,
    custom = CustomServer("127.0.0.1", 9993u, "127.0.0.1", 9465u, null),
    delegation = null,
    offline = true,
)

/** A PEC envelope-like message carrying an invoice file, as the SdI delivers it. */
fun invoiceMail(name: String, xml: ByteArray): ByteArray {
    val b64 = Base64.getMimeEncoder(76, "\r\n".toByteArray()).encodeToString(xml)
    return ("From: \"Per conto di: sdi01@pec.fatturapa.it\" <posta-certificata@pec.example>\r\n" +
        "To: ufficio@pec.example\r\nSubject: POSTA CERTIFICATA: Invio File 1234\r\n" +
        "Date: Mon, 23 Nov 2026 09:00:00 +0100\r\nMessage-ID: <inv-1@sdi.example>\r\n" +
        "X-Trasporto: posta-certificata\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFattura in allegato.\r\n" +
        "--b1\r\nContent-Type: application/xml; name=\"$name\"\r\n" +
        "Content-Disposition: attachment; filename=\"$name\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        b64 + "\r\n--b1--\r\n").toByteArray()
}

/** The platform of the desktop tests: HTML as its length, and every hand-off recorded. */
class RecordingPlatform(override val filesDir: String) : Platform {
    val shared = mutableListOf<String>()
    val opened = mutableListOf<String>()
    val printed = mutableListOf<String>()
    /** What the picker hands back next. */
    var picks: List<String> = emptyList()
    /** The phone's contacts as vCards; `null`: the user refuses the permission. */
    var phoneContacts: ByteArray? = null

    /** Not a web engine: the HTML's text, one block per line, so screenshots show what the WebView would. */
    @androidx.compose.runtime.Composable
    override fun Html(html: String) {
        val text = html.replace(Regex("(?is)<(style|script|head)[^>]*>.*?</\\1>"), "")
            .replace(Regex("(?i)<(br|/p|/div|/tr|/h[1-6]|/li)[^>]*>"), "\n")
            .replace(Regex("(?i)</t[dh]>"), "  ")
            .replace(Regex("<[^>]+>"), "")
            .replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            .lines().map { it.trim() }.filter { it.isNotEmpty() }.joinToString("\n")
        androidx.compose.foundation.layout.Column(androidx.compose.ui.Modifier.testTag("html")) {
            androidx.compose.material3.Text(text, style = androidx.compose.material3.MaterialTheme.typography.bodySmall)
        }
    }

    override fun share(file: it.pec.core.SharedFile) { shared += file.fileName }
    override fun shareFiles(paths: List<String>) { shared += paths }
    override fun open(path: String) { opened += path }
    override fun print(html: String, jobName: String) { printed += jobName }
    override fun pickFiles(onPicked: (List<String>) -> Unit) = onPicked(picks)
    override fun readPhoneContacts(onRead: (ByteArray?) -> Unit) = onRead(phoneContacts)
}
