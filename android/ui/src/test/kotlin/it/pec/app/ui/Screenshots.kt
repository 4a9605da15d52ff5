package it.pec.app.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.graphics.asSkiaBitmap
import androidx.compose.ui.test.DesktopComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasTestTag
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.ui.unit.Density
import it.pec.core.App
import it.pec.core.BodyDownload
import it.pec.core.ComposeDraft
import it.pec.core.CredentialBackend
import it.pec.core.Delegation
import it.pec.core.MessageKind
import it.pec.core.Permissions
import it.pec.core.SandboxProcess
import it.pec.core.SdiMessageKind
import it.pec.core.ViewRef
import it.pec.core.attachmentFromPath
import it.pec.core.corpusFile
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.jetbrains.skia.EncodedImageFormat
import org.jetbrains.skia.Image
import java.io.File
import java.nio.file.Files
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.system.exitProcess

/** A window to draw in: its size in dp and the pixels per dp of the PNG. */
private data class Window(val name: String, val widthDp: Int, val heightDp: Int, val density: Float)

private val windows = listOf(Window("phone", 360, 800, 2f), Window("tablet", 1280, 800, 1.5f))

/** One screen to draw: the tag that shows it is ready, and how to draw it. */
private class Shot(val name: String, val ready: String, val content: @Composable () -> Unit)

/**
 * `make screenshots`: every screen of the app drawn from a real session against the PEC provider
 * sandbox (a PEC delivered, one to a non-PEC address, an invoice the SdI took, a read-only
 * delegate), on a phone (360×800 dp) and a tablet (1280×800 dp), light and dark, as PNG files in
 * `android/ui/build/screenshots/` (or the folder given as the first argument).
 */
@OptIn(ExperimentalTestApi::class)
fun main(args: Array<String>) {
    val out = File(args.firstOrNull() ?: "android/ui/build/screenshots").apply { mkdirs() }
    val sandbox = SandboxProcess.start(
        "--accounts", "3",
        "--delegate", "utente3@pec.sandbox.test:lettore@pec.sandbox.test:read,programs",
    ) ?: exitProcess(if (System.getenv("CI") == "true") 1 else 0)
    val dir = Files.createTempDirectory("pec-shots").toFile()
    try {
        App(dir.path, CredentialBackend.MEMORY).use { app ->
            val session = runBlocking { session(app, sandbox) }
            val platform = RecordingPlatform(dir.path)
            var written = 0
            for (shot in shots(app, platform, session)) for (w in windows) for (dark in listOf(false, true)) {
                val file = File(out, "${shot.name}-${w.name}-${if (dark) "dark" else "light"}.png")
                draw(w, shot, dark, file)
                written++
            }
            println("screenshots: $written PNG files in ${out.path}")
        }
    } finally {
        sandbox.stop()
        dir.deleteRecursively()
    }
    exitProcess(0)
}

/** What the screens show: the ids of the messages the session made. */
private class Session(val me: Long, val delivered: Long, val envelope: Long, val invoice: Long, val reader: Long)

private suspend fun session(app: App, sb: SandboxProcess): Session {
    val (a1, p1) = sb.accounts()[0]
    val (a2, p2) = sb.accounts()[1]
    val me = sb.addAccount(app, a1, p1)
    val report = File(Files.createTempDirectory("pec-shots-files").toFile(), "Verbale assemblea.pdf")
        .apply { writeBytes(("%PDF-1.4\n" + "verbale ".repeat(40_000)).toByteArray()) }
    val delivered = app.send(me.id, ComposeDraft(listOf(a2), listOf(), "Verbale dell'assemblea del 3 dicembre",
        "Buongiorno,\nin allegato il verbale firmato.\n\nCordiali saluti", listOf(attachmentFromPath(report.path)), null, null)).messageRow!!
    app.send(me.id, ComposeDraft(listOf("amministrazione@posta.example"), listOf(), "Sollecito pagamento fattura 118",
        "Gentile cliente,\nle ricordiamo il pagamento della fattura 118.", listOf(), null, null))
    val invoice = app.send(me.id, ComposeDraft(listOf(sb.field("sdi_address")), listOf(), "Invio fattura FPR01",
        "In allegato la fattura.", listOf(attachmentFromPath(corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml").path)),
        null, null)).messageRow!!
    withTimeout(60_000) {
        while (app.delivery(delivered).ticks != 2.toUByte() || app.invoiceNotices(invoice).none { it.kind == SdiMessageKind.RC }) {
            app.sync(me.id, BodyDownload.SMALL, null)
            delay(300)
        }
    }
    // The server's Sent copy is what the Sent folder lists; the receipts follow it.
    val sentCopy = withTimeout(60_000) {
        var row: Long? = null
        while (row == null) {
            row = app.listPage(me.id, ViewRef.Sent, null, 50u).rows
                .firstOrNull { it.subject.startsWith("Verbale") && it.ticks == 2.toUByte() }?.id
            if (row == null) {
                app.sync(me.id, BodyDownload.SMALL, null)
                delay(300)
            }
        }
        row
    }
    val them = sb.addAccount(app, a2, p2)
    app.sync(them.id, BodyDownload.SMALL, null)
    val envelope = app.listPage(them.id, ViewRef.Inbox, null, 50u).rows.first { it.kind == MessageKind.CERTIFIED }.id
    val readOnly = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false)
    val reader = sb.addAccount(app, sb.accounts()[2].first, "delega-lettore", Delegation("lettore@pec.sandbox.test", readOnly))
    return Session(me.id, sentCopy, envelope, invoice, reader.id)
}

private fun shots(app: App, platform: Platform, s: Session): List<Shot> {
    fun at(screen: Screen) = Navigator().also { it.open(screen) }
    return listOf(
        Shot("lock", "lock") { LockScreen(Italian) {} },
        Shot("inbox", "message-list") { PecApp(app, Italian, platform) },
        Shot("sent", "mark-${s.delivered}") { PecApp(app, Italian, platform, start = ViewRef.Sent) },
        Shot("drawer", "menu-0") { PecApp(app, Italian, platform, drawerOpen = true) },
        Shot("message", "step-0") { PecApp(app, Italian, platform, at(Screen.Message(s.delivered)), start = ViewRef.Sent) },
        Shot("envelope", "banner-text") { PecApp(app, Italian, platform, at(Screen.Message(s.envelope))) },
        Shot("compose", "size") { PecApp(app, Italian, platform, at(Screen.Compose(s.me))) },
        Shot("invoice", "sdi-0") { PecApp(app, Italian, platform, at(Screen.Invoice(s.invoice))) },
        Shot("search", "row-${s.delivered}") {
            val scope = androidx.compose.runtime.rememberCoroutineScope()
            val presenter = androidx.compose.runtime.remember {
                SearchPresenter(app, scope, s.me, null).also { it.setText("verbale") }
            }
            val state by presenter.state.collectAsState()
            SearchScreen(state, Italian, presenter) {}
        },
        // The SdI's receipts proved its address a certified PEC (the other recipients are own boxes).
        Shot("contacts", "address-sdi01@pec.fatturapa.it") { PecApp(app, Italian, platform, at(Screen.Contacts(s.me))) },
        Shot("settings", "lock-0") { PecApp(app, Italian, platform, at(Screen.Settings)) },
        Shot("permissions", "denied-send") { PecApp(app, Italian, platform, at(Screen.Permissions(s.reader))) },
        Shot("account-setup", "address") { PecApp(app, Italian, platform, at(Screen.AddAccount)) },
    )
}

@OptIn(ExperimentalTestApi::class)
private fun draw(w: Window, shot: Shot, dark: Boolean, file: File) {
    val px = { dp: Int -> (dp * w.density).toInt() }
    DesktopComposeUiTest(px(w.widthDp), px(w.heightDp), EmptyCoroutineContext, Density(w.density)).runTest {
        setContent { PecTheme(dark) { androidx.compose.material3.Surface(androidx.compose.ui.Modifier.fillMaxSize()) { shot.content() } } }
        val png = {
            Image.makeFromBitmap(captureToImage().asSkiaBitmap()).encodeToData(EncodedImageFormat.PNG)?.bytes
                ?: error("${shot.name}: PNG encoding failed")
        }
        try {
            waitUntil("${shot.name} ready", 30_000) { onAllNodes(hasTestTag(shot.ready), useUnmergedTree = true).fetchSemanticsNodes().isNotEmpty() }
        } catch (e: Throwable) {
            // What was drawn instead, to see why.
            File(file.path.removeSuffix(".png") + "-not-ready.png").writeBytes(png())
            throw e
        }
        waitForIdle()
        file.writeBytes(png())
    }
}
