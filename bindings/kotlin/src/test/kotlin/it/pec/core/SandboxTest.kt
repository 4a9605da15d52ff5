package it.pec.core

import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Assume.assumeTrue
import org.junit.BeforeClass
import org.junit.Test
import java.io.File
import java.nio.file.Files
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/**
 * The facade against the PEC provider sandbox (real Dovecot + the sandbox's SMTP/PEC engine):
 * add an account, sync with progress, page the inbox, open an SDI invoice in both styles, list the
 * invoices folder with the invoice's details, save the invoice file by its IMAP section, send a
 * PEC with an attachment and watch its receipts arrive through a listener; empty the trash.
 */
class SandboxTest {
    companion object {
        private var sandbox: SandboxProcess? = null
        private val sb get() = sandbox!!

        @BeforeClass @JvmStatic
        fun up() {
            sandbox = SandboxProcess.start("--accounts", "4",
                "--delegate", "utente1@pec.sandbox.test:segreteria@pec.sandbox.test:read,send,programs",
                "--delegate", "utente1@pec.sandbox.test:lettore@pec.sandbox.test:read,programs")
        }

        @AfterClass @JvmStatic
        fun down() {
            sandbox?.stop()
        }

        fun accounts(): List<Pair<String, String>> = sb.accounts()
    }

    private suspend fun addSandboxAccount(app: App, address: String, password: String, delegation: Delegation? = null): AccountInfo =
        sb.addAccount(app, address, password, delegation)

    /** A delegate logs in with its own username; one without `send` gets PecException.Permission. */
    @Test
    fun delegateLogsInWithItsOwnUsername() = runBlocking {
        val (owner, _) = accounts()[0]
        val (other, _) = accounts()[1]
        val readSend = Permissions(read = true, write = false, send = true, mailPrograms = true, settings = false)
        App(Files.createTempDirectory("pec-kt-del").toFile().path, CredentialBackend.MEMORY).use { app ->
            val seg = addSandboxAccount(app, owner, "delega-segreteria", Delegation("segreteria@pec.sandbox.test", readSend))
            assertEquals("segreteria@pec.sandbox.test", seg.login)
            assertTrue(seg.delegated && seg.capabilities.canSend)
            app.sync(seg.id, BodyDownload.RECEIPTS_ONLY, null)
            val sent = app.send(seg.id, ComposeDraft(listOf(other), listOf(), "Dalla segreteria", "x", listOf(), null, null))
            assertTrue("not submitted", sent.submitted)
        }
        // The reader declared `send` it does not have: the provider refuses, the facade says Permission.
        App(Files.createTempDirectory("pec-kt-del2").toFile().path, CredentialBackend.MEMORY).use { app ->
            val rd = addSandboxAccount(app, owner, "delega-lettore", Delegation("lettore@pec.sandbox.test", readSend))
            app.sync(rd.id, BodyDownload.RECEIPTS_ONLY, null)
            try {
                app.send(rd.id, ComposeDraft(listOf(other), listOf(), "Non permesso", "x", listOf(), null, null))
                fail("a reader sent")
            } catch (e: PecException.Permission) {
                assertTrue(e.detail, e.detail.contains("not owned"))
                assertEquals("permission", errorCode(e))
            }
        }
    }

    /** The background loop brings an invoice that arrives while it idles, without a sync call. */
    @Test
    fun backgroundSyncBringsNewMailWithoutACall() = runBlocking {
        val (a3, p3) = accounts()[2]
        App(Files.createTempDirectory("pec-kt-bg").toFile().path, CredentialBackend.MEMORY).use { app ->
            val me = addSandboxAccount(app, a3, p3)
            val changed = CountDownLatch(1)
            val changes = app.subscribeChanges(object : ChangeListener {
                override fun onChange(change: ChangeEvent) {
                    if (change.kind == ChangeKind.MESSAGES && change.accountId == me.id) changed.countDown()
                }
            })
            val background = app.startBackgroundSync(me.id, BodyDownload.RECEIPTS_ONLY)
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
            while (app.syncStatus().lastSync == null) {
                assertTrue("no first pass: ${app.syncStatus()}", System.nanoTime() < deadline)
                Thread.sleep(50)
            }
            assertTrue(background.isRunning())
            assertTrue(app.listPage(me.id, ViewRef.Inbox, null, 50u).rows.isEmpty())

            val xml = corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml")
            sb.injectInvoice(a3, xml)
            assertTrue("no change within a minute", changed.await(60, TimeUnit.SECONDS))
            assertEquals(1, app.listPage(me.id, ViewRef.Inbox, null, 50u).rows.size)

            background.stop()
            assertTrue(!background.isRunning())
            changes.close()
        }
    }

    @Test
    fun syncPageInvoiceSendAndReceipts() = runBlocking {
        val (a1, p1) = accounts()[0]
        val (a2, p2) = accounts()[1]
        val data = Files.createTempDirectory("pec-kt-sbx").toFile()
        App(data.path, CredentialBackend.FILE).use { app ->
            val me = addSandboxAccount(app, a1, p1)
            val them = addSandboxAccount(app, a2, p2)

            // An SDI invoice arrives in a1's mailbox.
            val xml = corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml")
            sb.injectInvoice(a1, xml)

            // Sync with progress.
            val seenProgress = Collections.synchronizedList(mutableListOf<SyncProgress>())
            val errors = Collections.synchronizedList(mutableListOf<ErrorEvent>())
            val listener = object : SyncListener {
                override fun onProgress(progress: SyncProgress) { seenProgress.add(progress) }
                override fun onError(error: ErrorEvent) { errors.add(error) }
            }
            val summary = app.sync(me.id, BodyDownload.SMALL, listener)
            assertTrue("no folder synced", summary.folders >= 1u)
            assertTrue("nothing added", summary.added >= 1uL)
            assertTrue("no progress reported", seenProgress.isNotEmpty())
            assertTrue("errors: $errors", errors.isEmpty())

            // The inbox, paged, and the invoice in its virtual folder.
            val inbox = app.listPage(me.id, ViewRef.Inbox, null, 20u)
            assertTrue(inbox.rows.isNotEmpty())
            val menu = app.folderMenu(me.id)
            assertTrue(menu.any { it.view == ViewRef.Invoices && it.total >= 1u })
            val inv = app.listPage(me.id, ViewRef.Invoices, null, 20u).rows
            assertEquals(1, inv.size)
            val compact = app.invoiceHtml(inv[0].id, InvoiceStyle.COMPACT)
            val ministerial = app.invoiceHtml(inv[0].id, InvoiceStyle.MINISTERIAL)
            assertNotEquals(compact.html, ministerial.html)
            assertNotNull(compact.supplier)
            assertArrayEquals(xml.readBytes(), app.invoiceOriginal(inv[0].id).data)
            val detail = app.message(inv[0].id)
            assertEquals(MessageKind.CERTIFIED, detail.pec.kind)
            assertEquals(SignatureState.VALID, detail.pec.signature.state)
            assertTrue("certified under the explicit test anchor", detail.pec.certified)
            assertTrue(detail.pec.headerMismatches.isEmpty())

            // The invoices folder with what the invoice file says.
            val invPage = app.invoicesPage(me.id, null, 20u)
            assertEquals(1u, invPage.total)
            val facts = invPage.rows.single().invoices.single()
            assertEquals("IT01234567890_FPR01.xml", facts.fileName)
            assertEquals("123", facts.number)
            assertEquals("2014-12-18", facts.date)
            assertEquals("SOCIETA' ALPHA SRL", facts.seller)
            assertEquals("6.10", facts.total)
            assertEquals("EUR", facts.currency)
            assertEquals("TD01", facts.documentType)
            assertEquals(false, facts.signed)

            // One attachment saved by its IMAP section: the invoice file, byte for byte.
            val att = detail.attachments.first { it.fileName == "IT01234567890_FPR01.xml" }
            val saved = File(data, "saved-invoice.xml")
            val partProgress = Collections.synchronizedList(mutableListOf<DownloadProgress>())
            val part = app.downloadAttachment(inv[0].id, att.section!!, saved.path, object : DownloadListener {
                override fun onProgress(progress: DownloadProgress) { partProgress.add(progress) }
            })
            assertEquals(att.section, part.section)
            assertArrayEquals(xml.readBytes(), saved.readBytes())
            assertEquals(xml.length().toULong(), part.size)
            // Progress arrives before the call returns and ends complete (here cut out of the stored body).
            assertTrue("no download progress", partProgress.isNotEmpty())
            assertTrue(partProgress.all { it.messageId == inv[0].id && it.section == att.section })
            assertEquals(part.encodedSize, partProgress.last().total)
            assertEquals(partProgress.last().total, partProgress.last().done)

            // Send a PEC with an attachment and watch it go from one tick to two.
            val sent = app.send(me.id, ComposeDraft(listOf(a2), listOf(), "Contratto firmato", "In allegato il contratto.",
                listOf(OutgoingAttachment("contratto.txt", "text/plain", "Contratto di prova".toByteArray())), null, null))
            assertTrue("not submitted", sent.submitted)
            val seen = Collections.synchronizedList(mutableListOf<SendStatusView>())
            val delivered = CountDownLatch(1)
            val sub = app.subscribeSendStatus(sent.outboxId, 1u, object : SendListener {
                override fun onStatus(status: SendStatusView) {
                    seen.add(status)
                    if (status.ticks == 2.toUByte()) delivered.countDown()
                }
                override fun onError(error: ErrorEvent) { errors.add(error) }
            })
            assertTrue("no delivery receipt within 60 s: ${seen.map { it.step }} $errors", delivered.await(60, TimeUnit.SECONDS))
            sub.close()
            val ticks = seen.mapNotNull { it.ticks?.toInt() }
            assertEquals("ticks never go back: $ticks", ticks.sorted(), ticks)
            assertEquals(2, ticks.last())
            val final = app.sendStatus(sent.outboxId)
            assertEquals(SendStep.DELIVERED, final.recipients.single().step)
            assertTrue(final.recipients.single().events.any { it.kind == TimelineStep.ACCEPTED })

            // The list row of the sent copy shows two ticks too.
            val row = sent.messageRow!!
            assertEquals(DeliveryMark.DELIVERED, app.delivery(row).mark)

            // The recipient gets it, with the attachment, as a certified message.
            app.sync(them.id, BodyDownload.SMALL, null)
            val got = app.search(them.id, SearchFilters("Contratto", null, null, null, null, null, null, true, false, 10u))
            assertTrue("recipient did not get it", got.any { it.kind == MessageKind.CERTIFIED && it.attachments })
        }
    }

    /**
     * The trash emptied on one device is empty on the server (a second device finds nothing), the
     * question before it counts the certified messages that go; a reading delegate may not.
     */
    @Test
    fun theTrashEmptiedHereIsEmptyOnTheServer() = runBlocking {
        val (a4, p4) = accounts()[3]
        val xml = corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml")
        repeat(2) { sb.injectInvoice(a4, xml) }
        App(Files.createTempDirectory("pec-kt-trash").toFile().path, CredentialBackend.MEMORY).use { app ->
            val me = addSandboxAccount(app, a4, p4)
            app.sync(me.id, BodyDownload.RECEIPTS_ONLY, null)
            val inbox = app.listPage(me.id, ViewRef.Inbox, null, 50u).rows
            assertEquals(2, inbox.size)
            app.applyAll(inbox.map { it.id }, MessageAction.Delete)
            val trash = app.folderMenu(me.id).single { it.kind == FolderKind.TRASH }
            assertTrue("the trash may be emptied", trash.emptiable)
            assertTrue(app.folderMenu(me.id).none { it.kind == FolderKind.INBOX && it.emptiable })
            val trashId = (trash.view as ViewRef.Folder).id
            assertEquals(FolderEmptying(messages = 2u, receipts = 0u, certified = 2u), app.emptying(trashId))
            assertEquals(2u, app.emptyFolder(trashId))
            assertTrue(app.folderMenu(me.id).none { it.emptiable })
            app.sync(me.id, BodyDownload.RECEIPTS_ONLY, null)
        }
        App(Files.createTempDirectory("pec-kt-trash2").toFile().path, CredentialBackend.MEMORY).use { app ->
            val me = addSandboxAccount(app, a4, p4)
            app.sync(me.id, BodyDownload.RECEIPTS_ONLY, null)
            assertTrue(app.folderMenu(me.id).filter { it.kind != null }.all { it.total == 0u })
        }
        val (owner, _) = accounts()[0]
        val reading = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false)
        App(Files.createTempDirectory("pec-kt-trash3").toFile().path, CredentialBackend.MEMORY).use { app ->
            val rd = addSandboxAccount(app, owner, "delega-lettore", Delegation("lettore@pec.sandbox.test", reading))
            app.sync(rd.id, BodyDownload.RECEIPTS_ONLY, null)
            val trash = app.folderMenu(rd.id).single { it.kind == FolderKind.TRASH }
            assertTrue(rd.denied.any { it.action == emptyFolderNeeds() })
            try {
                app.emptyFolder((trash.view as ViewRef.Folder).id)
                fail("a reading delegate emptied the trash")
            } catch (e: PecException.Permission) {
                assertTrue(e.detail, e.detail.contains("may not"))
            }
        }
    }
}

