package it.pec.core

import it.pec.core.ui.ErrorTexts
import it.pec.core.ui.applying
import it.pec.core.ui.folderMenuFlow
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.flow.transformWhile
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Assume.assumeTrue
import org.junit.Test
import java.io.File
import java.nio.file.Files
import java.util.Base64
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/** The facade offline: accounts, credentials, menu, pages, detail, invoices, search, actions, errors. */
class FacadeTest {
    private fun tempDir(): File = Files.createTempDirectory("pec-kt").toFile().also { it.deleteOnExit() }

    private fun corpus(): File? {
        val env = System.getenv("PEC_CORPUS")
        val dir = when {
            env != null -> File(env)
            else -> File("../shared/corpus")
        }
        if (!dir.isDirectory) {
            if (System.getenv("CI") == "true") fail("CI=true and the corpus is missing (set PEC_CORPUS)")
            assumeTrue("corpus not found: skipping (set PEC_CORPUS)", false)
            return null
        }
        return dir
    }

    private class MapSecrets : SecretStore {
        val map = ConcurrentHashMap<String, String>()
        override fun get(login: String): String? = map[login]
        override fun set(login: String, secret: String) { map[login] = secret }
        override fun delete(login: String) { map.remove(login) }
    }

    private fun custom(address: String, password: String = "pw-${address.hashCode()}") = NewAccount(
        provider = Provider.CUSTOM,
        address = address,
        password = password,
        displayName = "Demo",
        custom = CustomServer("127.0.0.1", 9993u, "127.0.0.1", 9465u, null),
        delegation = null,
        // No server behind these ports: saved without the login check.
        offline = true,
    )

    /** A PEC envelope-like message carrying an invoice file, as SDI delivers it. */
    private fun invoiceMail(name: String, xml: ByteArray): ByteArray {
        val b64 = Base64.getMimeEncoder(76, "\r\n".toByteArray()).encodeToString(xml)
        return ("From: \"Per conto di: sdi01@pec.fatturapa.it\" <posta-certificata@pec.example>\r\n" +
            "To: demo@pec.example\r\nSubject: POSTA CERTIFICATA: Invio File 1234\r\n" +
            "Date: Mon, 23 Nov 2026 09:00:00 +0100\r\nMessage-ID: <inv-1@sdi.example>\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFattura in allegato.\r\n" +
            "--b1\r\nContent-Type: application/xml; name=\"$name\"\r\n" +
            "Content-Disposition: attachment; filename=\"$name\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            b64 + "\r\n--b1--\r\n").toByteArray()
    }

    @Test
    fun presetsCarryThePublishedServers() {
        val aruba = providerPreset(Provider.ARUBA)
        assertEquals("imaps.pec.aruba.it", aruba.imapHost)
        assertEquals(993.toUShort(), aruba.imapPort)
        assertEquals("smtps.pec.aruba.it", aruba.smtpHost)
        assertEquals(465.toUShort(), aruba.smtpPort)
        assertEquals(6, providerPresets().size)
        assertEquals(Provider.LEGALMAIL, guessProvider("studio@legalmail.it"))
    }

    @Test
    fun passwordGoesToTheSecretStoreNeverToTheDatabase() = runBlocking {
        val dir = tempDir()
        val secrets = MapSecrets()
        App.withSecretStore(dir.path, secrets).use { app ->
            val info = app.addAccount(custom("demo@pec.example", "Sup3r-Segreta!"))
            assertEquals("demo@pec.example", info.address)
            assertEquals("Sup3r-Segreta!", secrets.map["demo@pec.example"])
            assertFalse(info.delegated)
            assertTrue(info.capabilities.canSend)
            assertEquals(listOf(info), app.accounts())
        }
        val leaked = dir.walkTopDown().filter { it.isFile }.any { f ->
            String(f.readBytes(), Charsets.ISO_8859_1).contains("Sup3r-Segreta!")
        }
        assertFalse("the password is in a file of the data directory", leaked)
    }

    @Test
    fun badInputIsATypedExceptionWithAStableCodeAndBothTexts() = runBlocking {
        App(tempDir().path, CredentialBackend.MEMORY).use { app ->
            try {
                app.addAccount(custom("not-an-address"))
                fail("accepted a bad address")
            } catch (e: PecException.InvalidInput) {
                assertEquals("invalid_input", errorCode(e))
                assertTrue(ErrorTexts.text(e, "it").startsWith("Controlla"))
                assertTrue(ErrorTexts.text(e, "en").startsWith("Please"))
            }
            try {
                app.message(424242)
                fail("found a message that does not exist")
            } catch (e: PecException.NotFound) {
                assertEquals("not_found", errorCode(e))
            }
        }
        for ((code, texts) in ErrorTexts.texts) {
            assertTrue(code, texts.first.isNotBlank() && texts.second.isNotBlank() && texts.first != texts.second)
        }
    }

    @Test
    fun delegatedReadOnlyLoginCannotSendOrDelete() = runBlocking {
        val c = corpus() ?: return@runBlocking
        App(tempDir().path, CredentialBackend.MEMORY).use { app ->
            val ro = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false)
            val info = app.addAccount(custom("ufficio@pec.example").copy(delegation = Delegation("mario.rossi", ro)))
            assertTrue(info.delegated)
            assertEquals("mario.rossi", info.login)
            assertTrue(info.capabilities.canRead)
            assertFalse(info.capabilities.canSend)
            assertFalse(info.capabilities.canCompose)
            assertFalse(info.capabilities.canMoveDelete)
            assertFalse(info.capabilities.canEditSettings)
            val id = app.importMessage(info.id, File(c, "pec/biagioT_java-pec-parser/consegna.eml").readBytes())
            try {
                app.apply(id, MessageAction.Delete)
                fail("a read-only delegate deleted a message")
            } catch (e: PecException.Permission) {
                assertEquals("permission", errorCode(e))
            }
            app.apply(id, MessageAction.MarkUnseen)
            assertFalse(app.message(id).row.seen)
        }
    }

    @Test
    fun menuPagesDetailInvoiceAndSearch() = runBlocking {
        val c = corpus() ?: return@runBlocking
        App(tempDir().path, CredentialBackend.MEMORY).use { app ->
            val acc = app.addAccount(custom("demo@pec.example"))

            // The menu subscription delivers the current state first, then the change.
            val menus = mutableListOf<List<MenuEntry>>()
            val hasInvoice = { m: List<MenuEntry> -> m.any { it.view == ViewRef.Invoices && it.total >= 1u } }
            val firstSeen = CompletableDeferred<Unit>()
            val collected = launch {
                app.folderMenuFlow(acc.id).transformWhile { emit(it); firstSeen.complete(Unit); !hasInvoice(it) }.toList(menus)
            }
            withTimeout(10_000) { firstSeen.await() }

            val receipt = app.importMessage(acc.id, File(c, "pec/biagioT_java-pec-parser/accettazione.eml").readBytes())
            app.importMessage(acc.id, File(c, "pec/biagioT_java-pec-parser/consegna.eml").readBytes())
            val xml = File(c, "fatturapa/italia-testsdi/IT01234567890_FPR01.xml").readBytes()
            val invoice = app.importMessage(acc.id, invoiceMail("IT01234567890_FPR01.xml", xml))
            withTimeout(10_000) { collected.join() }
            assertTrue(menus.size >= 2)
            assertTrue("current state first", menus.first().all { it.total == 0u })
            assertTrue(hasInvoice(menus.last()))

            val menu = app.folderMenu(acc.id)
            assertEquals(FolderKind.INBOX, menu[0].kind)
            assertEquals(ViewRef.Invoices, menu[1].view)
            assertEquals(ViewRef.Receipts, menu[2].view)
            assertEquals(3u, menu[0].total)

            // Paging: one row at a time through the cursor, no row twice.
            val seen = mutableListOf<Long>()
            var cursor: PageCursor? = null
            do {
                val page = app.listPage(acc.id, ViewRef.Inbox, cursor, 1u)
                assertEquals(3u, page.total)
                seen += page.rows.map { it.id }
                cursor = page.next
            } while (cursor != null && seen.size < 10)
            assertEquals(3, seen.toSet().size)

            val invRows = app.listPage(acc.id, ViewRef.Invoices, null, 50u).rows
            assertEquals(listOf(invoice), invRows.map { it.id })
            assertTrue(invRows[0].invoice && invRows[0].attachments)
            val rcpt = app.listPage(acc.id, ViewRef.Receipts, null, 50u).rows
            assertTrue(rcpt.any { it.id == receipt && it.kind == MessageKind.RECEIPT })

            val detail = app.message(receipt)
            assertEquals(MessageKind.RECEIPT, detail.pec.kind)
            assertTrue(detail.downloaded)
            assertNotEquals(SignatureState.NOT_CHECKED, detail.pec.signature.state)
            assertNotNull(detail.pec.identifier)

            val compact = app.invoiceHtml(invoice, InvoiceStyle.COMPACT)
            val ministerial = app.invoiceHtml(invoice, InvoiceStyle.MINISTERIAL)
            assertTrue(compact.html.contains("<html", ignoreCase = true))
            assertNotEquals(compact.html, ministerial.html)
            assertEquals(InvoiceIntegrity.NOT_SIGNED, compact.integrity)
            assertFalse(compact.notification)
            assertNotNull(compact.supplier)
            val original = app.invoiceOriginal(invoice)
            assertEquals("IT01234567890_FPR01.xml", original.fileName)
            assertArrayEquals(xml, original.data)

            val found = app.search(acc.id, SearchFilters("Invio File", null, null, null, null, null, null, false, false, 20u))
            assertEquals(listOf(invoice), found.map { it.id })
            val none = app.search(acc.id, SearchFilters("zzzzqqqq", null, null, null, null, null, null, false, false, 20u))
            assertTrue(none.isEmpty())

            app.apply(invoice, MessageAction.Flag)
            assertTrue(app.message(invoice).row.flagged)
        }
    }

    @Test
    fun subscriptionStopsWhenCancelled() = runBlocking {
        App(tempDir().path, CredentialBackend.MEMORY).use { app ->
            val acc = app.addAccount(custom("demo@pec.example"))
            val first = CountDownLatch(1)
            val calls = java.util.concurrent.atomic.AtomicInteger()
            val sub = app.subscribeFolderMenu(acc.id, object : MenuListener {
                override fun onMenu(entries: List<MenuEntry>) { calls.incrementAndGet(); first.countDown() }
                override fun onError(error: ErrorEvent) {}
            })
            assertTrue(first.await(5, TimeUnit.SECONDS))
            assertTrue(sub.isActive())
            sub.cancel()
            assertFalse(sub.isActive())
            val before = calls.get()
            app.addAccount(custom("other@pec.example"))
            Thread.sleep(300)
            assertEquals(before, calls.get())
            sub.close()
        }
    }

    /**
     * A watched list sends its rows once, then differences: a new message is one insertion at the
     * top, a read mark one updated row, the receipts switch removals; never the whole list again.
     */
    @Test
    fun aWatchedListSendsRowsThenOnlyWhatChanged() = runBlocking {
        App(tempDir().path, CredentialBackend.MEMORY).use { app ->
            val acc = app.addAccount(custom("ufficio@pec.example"))
            fun mail(n: Int, day: Int) = ("From: a@pec.example\r\nTo: ufficio@pec.example\r\nSubject: Pratica $n\r\n" +
                "Message-ID: <p$n@x>\r\nDate: Mon, ${day} Nov 2026 09:00:00 +0100\r\n\r\ntesto\r\n").toByteArray()
            val first = app.importMessage(acc.id, mail(1, 2))
            val updates = java.util.concurrent.LinkedBlockingQueue<ListUpdate>()
            val watch = app.watchList(acc.id, ViewRef.Inbox, 50u, false, object : ListListener {
                override fun onUpdate(update: ListUpdate) { updates.put(update) }
                override fun onError(error: ErrorEvent) = fail(error.detail)
            })
            val next = { updates.poll(10, TimeUnit.SECONDS) ?: error("no update") }
            var rows = listOf<ListRow>()
            val reset = next() as ListUpdate.Reset
            rows = rows.applying(reset)
            assertEquals(listOf(first), rows.map { it.id })

            val newer = app.importMessage(acc.id, mail(2, 3))
            val inserted = next() as ListUpdate.Changes
            assertEquals(listOf(0u to newer), inserted.inserted.map { it.index to it.row.id })
            assertTrue(inserted.removed.isEmpty() && inserted.updated.isEmpty())
            rows = rows.applying(inserted)

            val wasSeen = rows.single { it.id == first }.seen
            app.apply(first, if (wasSeen) MessageAction.MarkUnseen else MessageAction.MarkSeen)
            val seen = next() as ListUpdate.Changes
            assertEquals(listOf(first to !wasSeen), seen.updated.map { it.id to it.seen })
            assertTrue(seen.inserted.isEmpty())
            rows = rows.applying(seen)
            assertEquals(listOf(newer, first), rows.map { it.id })
            assertEquals(app.listPage(acc.id, ViewRef.Inbox, null, 50u).rows, rows)
            watch.cancel()
            watch.close()
        }
    }

    /**
     * The account's signature, kept by the core, opens a blank compose and sits above the quote
     * of a reply; too long a signature is refused with the input code, an empty one clears it.
     */
    @Test
    fun theSignatureOpensComposeAndReplies() = runBlocking {
        App(tempDir().path, CredentialBackend.MEMORY).use { app ->
            val acc = app.addAccount(custom("ufficio@pec.example"))
            assertEquals("Avv. Maria Rossi", app.setSignature(acc.id, "Avv. Maria Rossi \r\n"))
            assertEquals("Avv. Maria Rossi", app.account(acc.id).signature)
            val signed = "\n\n-- \nAvv. Maria Rossi"
            assertEquals(signed, app.composeStart(acc.id, null).text)
            val mail = ("From: studio@pec.example\r\nTo: ufficio@pec.example\r\nSubject: Udienza\r\n" +
                "Message-ID: <u@x>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nConfermo.\r\n").toByteArray()
            val id = app.importMessage(acc.id, mail)
            val reply = app.replyDraft(id, false).text
            assertTrue(reply, reply.startsWith(signed) && reply.endsWith("> Confermo.\n"))
            try {
                app.setSignature(acc.id, "x".repeat(1_001))
                fail("a signature over the limit was kept")
            } catch (e: PecException.InvalidInput) {
                assertEquals("invalid_input", errorCode(e))
            }
            assertEquals(null, app.setSignature(acc.id, ""))
            assertEquals("", app.composeStart(acc.id, null).text)
        }
    }

    /** A template keeps what is written without the signature, and opens with the account's. */
    @Test
    fun aTemplateOpensWithTheAccountsSignature() = runBlocking {
        App(tempDir().path, CredentialBackend.MEMORY).use { app ->
            val acc = app.addAccount(custom("ufficio@pec.example"))
            app.setSignature(acc.id, "Studio Bianchi")
            val written = app.composeStart(acc.id, null).copy(
                to = listOf("tribunale@pec.giustizia.it"), subject = "Deposito atto", receipt = RequestedReceipt.SINTETICA)
            val id = app.saveTemplate("Deposito", written.copy(text = "Si deposita l'atto." + written.text))
            val kept = app.templates().single()
            assertEquals(id, kept.id)
            assertEquals("Si deposita l'atto.", kept.draft.text)
            val opened = app.composeFromTemplate(acc.id, id)
            assertEquals(listOf("tribunale@pec.giustizia.it"), opened.to)
            assertEquals(RequestedReceipt.SINTETICA, opened.receipt)
            assertEquals("Si deposita l'atto.\n\n-- \nStudio Bianchi", opened.text)
            try {
                app.saveTemplate(" ", written)
                fail("a template without a name was kept")
            } catch (e: PecException.InvalidInput) {
                assertEquals("invalid_input", errorCode(e))
            }
            app.forgetTemplate(id)
            assertTrue(app.templates().isEmpty())
        }
    }
}
