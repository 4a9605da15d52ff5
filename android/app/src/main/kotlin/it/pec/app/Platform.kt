package it.pec.app

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.print.PrintManager
import android.provider.ContactsContract
import android.provider.OpenableColumns
import android.webkit.WebResourceRequest
import android.webkit.WebView
import android.webkit.WebViewClient
import androidx.activity.result.ActivityResultLauncher
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.core.content.FileProvider
import androidx.core.content.IntentCompat
import androidx.fragment.app.FragmentActivity
import it.pec.app.ui.Platform
import it.pec.core.SharedFile
import kotlinx.coroutines.runBlocking
import java.io.File
import kotlin.concurrent.thread

/**
 * The screens' [Platform] on Android: a locked-down WebView, the share sheet and viewers through
 * the FileProvider (read grants for the chosen app only), the print framework, and the system
 * picker whose documents the core stages sealed in its data directory. Create it in `onCreate`
 * (it registers the picker's result).
 *
 * Files handed to other apps must be readable by them: they are plain copies under
 * `cache/shared`, the FileProvider's only root, deleted by [clearHandedOut] when the app comes
 * back locked and when a new process starts (not at the lock itself: the app that was handed a
 * file may still be reading it then). Documents coming in (picked, or shared into the app) are
 * never copied plain: while the core is locked their URIs wait, and they are staged sealed after
 * the unlock ([unlocked]).
 */
class AndroidPlatform(private val activity: FragmentActivity) : Platform {
    override val filesDir: String = File(activity.cacheDir, "shared").apply { mkdirs() }.path

    /** Work on incoming documents that waits for the unlocked core. */
    private val waiting = mutableListOf<() -> Unit>()
    private var picked: ((List<String>) -> Unit)? = null
    private val picker: ActivityResultLauncher<Array<String>> =
        activity.registerForActivityResult(ActivityResultContracts.OpenMultipleDocuments()) { uris ->
            val done = picked
            picked = null
            // "Lock immediately" locks while the picker covers the app: the URIs then wait.
            whenUnlocked { done?.invoke(uris.mapNotNull(::stageIn)) }
        }

    private var contactsAsked: ((ByteArray?) -> Unit)? = null
    private val contactsPermission: ActivityResultLauncher<String> =
        activity.registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
            val done = contactsAsked ?: return@registerForActivityResult
            contactsAsked = null
            if (granted) thread { done(phoneVCards()) } else done(null)
        }

    @Composable
    override fun Html(html: String) {
        AndroidView(
            factory = { context ->
                lockedDown(WebView(context)).apply {
                    // A link leaves for the browser the user picks; the view itself never navigates.
                    webViewClient = object : WebViewClient() {
                        override fun shouldOverrideUrlLoading(view: WebView, request: WebResourceRequest): Boolean {
                            activity.startActivity(Intent(Intent.ACTION_VIEW, request.url))
                            return true
                        }
                    }
                }
            },
            update = { it.loadDataWithBaseURL(null, html, "text/html", "utf-8", null) },
        )
    }

    override fun share(file: SharedFile) {
        // The name came from a message: only its last component is used.
        val target = File(filesDir, File(file.fileName).name.ifBlank { "file" })
        target.writeBytes(file.data)
        shareFiles(listOf(target.path))
    }

    override fun shareFiles(paths: List<String>) {
        val uris = ArrayList(paths.map(::uriOf))
        val send = if (uris.size == 1) {
            Intent(Intent.ACTION_SEND).putExtra(Intent.EXTRA_STREAM, uris[0])
        } else {
            Intent(Intent.ACTION_SEND_MULTIPLE).putParcelableArrayListExtra(Intent.EXTRA_STREAM, uris)
        }
        send.setType("*/*").addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        activity.startActivity(Intent.createChooser(send, null))
    }

    override fun open(path: String) {
        val uri = uriOf(path)
        val view = Intent(Intent.ACTION_VIEW)
            .setDataAndType(uri, activity.contentResolver.getType(uri) ?: "*/*")
            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        activity.startActivity(Intent.createChooser(view, null))
    }

    override fun print(html: String, jobName: String) {
        val view = lockedDown(WebView(activity))
        view.webViewClient = object : WebViewClient() {
            override fun onPageFinished(page: WebView, url: String?) {
                val printing = activity.getSystemService(PrintManager::class.java)
                printing.print(jobName, page.createPrintDocumentAdapter(jobName), null)
            }
        }
        view.loadDataWithBaseURL(null, html, "text/html", "utf-8", null)
    }

    override fun pickFiles(onPicked: (List<String>) -> Unit) {
        picked = onPicked
        picker.launch(arrayOf("*/*"))
    }

    override fun readPhoneContacts(onRead: (ByteArray?) -> Unit) {
        val granted = ContextCompat.checkSelfPermission(activity, Manifest.permission.READ_CONTACTS) ==
            PackageManager.PERMISSION_GRANTED
        if (granted) {
            thread { onRead(phoneVCards()) }
        } else {
            contactsAsked = onRead
            contactsPermission.launch(Manifest.permission.READ_CONTACTS)
        }
    }

    /**
     * The vCards of the phone's contacts that have an e-mail address, from the contacts provider
     * (the others are not read: nothing in them is for PEC, and their photos would only weigh).
     */
    private fun phoneVCards(): ByteArray {
        val keys = linkedSetOf<String>()
        val lookup = ContactsContract.CommonDataKinds.Email.LOOKUP_KEY
        activity.contentResolver.query(ContactsContract.CommonDataKinds.Email.CONTENT_URI, arrayOf(lookup), null, null, null)
            ?.use { c -> while (c.moveToNext()) c.getString(0)?.let(keys::add) }
        if (keys.isEmpty()) return ByteArray(0)
        val uri = Uri.withAppendedPath(ContactsContract.Contacts.CONTENT_MULTI_VCARD_URI, Uri.encode(keys.joinToString(":")))
        return activity.contentResolver.openInputStream(uri)?.use { it.readBytes() } ?: ByteArray(0)
    }

    /**
     * The files another app shared with `intent` (ACTION_SEND, ACTION_SEND_MULTIPLE), staged sealed
     * by the core and given to [onStaged], at once or after the unlock. The sharing app's read
     * grant lasts as long as this activity, so the URIs can wait for the unlock.
     */
    fun receive(intent: Intent, onStaged: (List<String>) -> Unit) {
        val uris = when (intent.action) {
            Intent.ACTION_SEND -> listOfNotNull(IntentCompat.getParcelableExtra(intent, Intent.EXTRA_STREAM, Uri::class.java))
            Intent.ACTION_SEND_MULTIPLE -> IntentCompat.getParcelableArrayListExtra(intent, Intent.EXTRA_STREAM, Uri::class.java).orEmpty()
            else -> emptyList()
        }
        if (uris.isNotEmpty()) whenUnlocked { onStaged(uris.mapNotNull(::stageIn)) }
    }

    /** The core is unlocked: stage what waited for it. */
    fun unlocked() {
        val work = waiting.toList()
        waiting.clear()
        work.forEach { it() }
    }

    /** Delete every plain copy handed to other apps. */
    fun clearHandedOut() {
        File(filesDir).listFiles()?.forEach { it.deleteRecursively() }
    }

    private fun whenUnlocked(work: () -> Unit) {
        val core = PecApplication.coreOrNull(activity)
        if (core != null && !core.isLocked()) work() else waiting += work
    }

    private fun uriOf(path: String): Uri =
        FileProvider.getUriForFile(activity, "${activity.packageName}.files", File(path))

    private fun displayName(uri: Uri): String? =
        activity.contentResolver.query(uri, arrayOf(OpenableColumns.DISPLAY_NAME), null, null, null)
            ?.use { c -> if (c.moveToFirst()) c.getString(0) else null }

    /**
     * Stream a document to the core, which stages it sealed in the data directory (never whole in
     * memory, never a plain copy). Called only while the core is unlocked.
     */
    private fun stageIn(uri: Uri): String? {
        val core = PecApplication.core(activity)
        val stage = core.stageAttachment(displayName(uri) ?: "file")
        val opened = activity.contentResolver.openInputStream(uri)?.use { input ->
            val buffer = ByteArray(256 * 1024)
            while (true) {
                val n = input.read(buffer)
                if (n < 0) break
                runBlocking { stage.write(buffer.copyOf(n)) }
            }
        }
        return opened?.let { runBlocking { stage.finish() }.path }
    }
}

private fun lockedDown(view: WebView): WebView = view.apply {
    settings.javaScriptEnabled = false
    settings.blockNetworkLoads = true
    settings.allowFileAccess = false
    settings.allowContentAccess = false
}
