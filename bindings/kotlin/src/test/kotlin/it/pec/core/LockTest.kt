package it.pec.core

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import java.io.File
import java.nio.file.Files
import java.util.Base64
import java.util.concurrent.ConcurrentHashMap

/** The encrypted store and the app lock, driven the way the apps drive them. */
class LockTest {
    /**
     * Stands in for the platform vault (Android Keystore, iOS Keychain): the account passwords and
     * the store key, which the real apps keep wrapped by a biometric-bound key.
     */
    private class Vault : SecretStore {
        val map = ConcurrentHashMap<String, String>()
        override fun get(login: String): String? = map[login]
        override fun set(login: String, secret: String) { map[login] = secret }
        override fun delete(login: String) { map.remove(login) }

        fun storeKey(): ByteArray = Base64.getDecoder().decode(map.getValue(STORE_KEY))
        fun keepStoreKey(key: ByteArray) { map[STORE_KEY] = Base64.getEncoder().encodeToString(key) }
    }

    private fun account(address: String) = NewAccount(
        provider = Provider.CUSTOM,
        address = address,
        password = "Sup3r-Segreta!",
        displayName = null,
        custom = CustomServer("127.0.0.1", 9993u, "127.0.0.1", 9465u, null),
        delegation = null,
        offline = true,
    )

    private fun message(subject: String) = ("From: mittente@pec.example\r\nTo: demo@pec.example\r\n" +
        "Subject: $subject\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\nMessage-ID: <lock-1@pec.example>\r\n" +
        "\r\nTesto riservato.\r\n").toByteArray()

    private inline fun <reified E : PecException> refused(block: () -> Unit): E {
        try {
            block()
        } catch (e: PecException) {
            if (e is E) return e
            fail("expected ${E::class.simpleName}, got $e")
        }
        fail("expected ${E::class.simpleName}, nothing thrown")
        throw IllegalStateException()
    }

    @Test
    fun theVaultsKeyOpensTheStoreAndNothingElseDoes() = runBlocking {
        val dir = Files.createTempDirectory("pec-kt-lock").toFile()
        val vault = Vault()
        val fresh = newStoreKey()
        vault.keepStoreKey(fresh)
        fresh.fill(0)
        App.withStoreKey(dir.path, vault, vault.storeKey()).use { app ->
            val acc = app.addAccount(account("demo@pec.example"))
            app.importMessage(acc.id, message("Verbale ZQXW-riservato"))
            assertFalse(app.isLocked())

            app.lock()
            assertTrue(app.isLocked())
            val locked = refused<PecException.Locked> { runBlocking { app.accounts() } }
            assertEquals("locked", errorCode(locked))
            refused<PecException.WrongKey> { runBlocking { app.unlock(newStoreKey()) } }
            assertTrue("a wrong key leaves it locked", app.isLocked())
            app.unlock(vault.storeKey())
            assertEquals(listOf("demo@pec.example"), app.accounts().map { it.address })

            // The policy lives in the core: "immediately" locks as the app leaves the screen.
            app.setSettings(app.settings().copy(lock = LockPolicy.Immediately))
            app.wentToBackground(1_000)
            assertTrue(app.isLocked())
            assertTrue(app.cameToForeground(1_001))
            app.unlock(vault.storeKey())
            assertFalse(app.cameToForeground(2_000))
        }
        val readable = dir.walkTopDown().filter { it.isFile }.filter { f ->
            val text = String(f.readBytes(), Charsets.ISO_8859_1)
            text.contains("ZQXW-riservato") || text.contains("Sup3r-Segreta!")
        }.toList()
        assertEquals("readable in the data directory", emptyList<File>(), readable)
        refused<PecException.WrongKey> { App.withStoreKey(dir.path, vault, newStoreKey()).close() }
        App.withStoreKey(dir.path, vault, vault.storeKey()).use { app ->
            assertEquals(1, app.accounts().size)
        }
    }

    /**
     * A PEC being written outlives the app: the core keeps it sealed as it is typed (a forward's
     * attachment, held in memory, staged once), and an app opened again on the same data
     * directory finds it, attachment included, ready to check and send. The account's signature
     * and a template are kept sealed too.
     */
    @Test
    fun aPecBeingWrittenOutlivesTheApp() = runBlocking {
        val dir = Files.createTempDirectory("pec-kt-kept").toFile()
        val vault = Vault()
        vault.keepStoreKey(newStoreKey())
        val draft = ComposeDraft(
            to = listOf("studio@pec.it"), cc = listOf(), subject = "Ricorso ZQXW-riservato",
            text = "Gentile avvocato,", receipt = null, inReplyTo = null, priority = null, references = listOf(),
            attachments = listOf(OutgoingAttachment("verbale.txt", null, "verbale ZQXW-riservato".toByteArray(), null)),
        )
        val account = App.withStoreKey(dir.path, vault, vault.storeKey()).use { app ->
            val acc = app.addAccount(account("demo@pec.example"))
            val kept = app.keepCompose(acc.id, null, draft)
            assertEquals(kept, app.keepCompose(acc.id, kept, draft.copy(text = "Gentile avvocato, in allegato")))
            // The signature and a template are the user's words too: inside the store.
            app.setSignature(acc.id, "Studio ZQXW-riservato")
            app.saveTemplate("Ricorso", draft)
            acc.id
        }
        val readable = dir.walkTopDown().filter { it.isFile }.filter { f ->
            String(f.readBytes(), Charsets.ISO_8859_1).contains("ZQXW-riservato")
        }.toList()
        assertEquals("readable in the data directory", emptyList<File>(), readable)
        App.withStoreKey(dir.path, vault, vault.storeKey()).use { app ->
            val again = app.keptComposes().single()
            assertEquals(account, again.accountId)
            assertEquals("Gentile avvocato, in allegato", again.draft.text)
            val file = again.draft.attachments.single()
            assertEquals("verbale.txt", file.fileName)
            assertEquals("Studio ZQXW-riservato", app.account(account).signature)
            assertEquals("Ricorso ZQXW-riservato", app.templates().single().draft.subject)
            assertTrue("staged, not in memory", file.path != null && file.data.isEmpty())
            val check = app.checkDraft(account, again.draft)
            assertEquals(emptyList<DraftProblem>(), check.problems)
            app.forgetCompose(again.id)
            assertEquals(emptyList<KeptCompose>(), app.keptComposes())
        }
    }

    /**
     * The vault lost the key (Android invalidates it when a fingerprint is enrolled): the store
     * refuses the new one, and only `startAgain`, after the user agreed, replaces it with a new
     * store under the new key. With the right key `startAgain` changes nothing.
     */
    @Test
    fun aLostKeyStartsAgainOnlyWhenAsked() = runBlocking {
        val dir = Files.createTempDirectory("pec-kt-lost").toFile()
        val vault = Vault()
        vault.keepStoreKey(newStoreKey())
        App.withStoreKey(dir.path, vault, vault.storeKey()).use { app ->
            app.addAccount(account("demo@pec.example"))
        }
        App.startAgain(dir.path, vault, vault.storeKey()).use { app ->
            assertEquals(1, app.accounts().size)
        }
        vault.keepStoreKey(newStoreKey())
        refused<PecException.WrongKey> { App.withStoreKey(dir.path, vault, vault.storeKey()).close() }
        App.startAgain(dir.path, vault, vault.storeKey()).use { app ->
            assertEquals(emptyList<AccountInfo>(), app.accounts())
            app.addAccount(account("demo@pec.example"))
        }
        App.withStoreKey(dir.path, vault, vault.storeKey()).use { app ->
            assertEquals(1, app.accounts().size)
        }
    }

    /** A picked document goes in sealed, in chunks, and leaves inside the queued PEC. */
    @Test
    fun aPickedDocumentIsStagedSealedAndQueued() = runBlocking {
        val dir = Files.createTempDirectory("pec-kt-stage").toFile()
        val vault = Vault()
        App.withStoreKey(dir.path, vault, newStoreKey()).use { app ->
            val acc = app.addAccount(account("demo@pec.example"))
            val document = "Contratto ZQXW-riservato, pagina ".repeat(20_000).toByteArray()
            val stage = app.stageAttachment("contratto.txt")
            document.asList().chunked(256 * 1024).forEach { stage.write(it.toByteArray()) }
            val attachment = stage.finish()
            val staged = File(checkNotNull(attachment.path))
            assertTrue(staged.isFile)
            val draft = ComposeDraft(listOf("b@pec.other"), listOf(), "Con allegato", "testo", listOf(attachment), null, null)
            val check = app.checkDraft(acc.id, draft)
            assertTrue("${check.problems}", check.problems.isEmpty())
            assertTrue("the size of the content, not of the sealed file", check.estimatedSize > document.size.toULong())
            app.queue(acc.id, draft)
            assertFalse("deleted once queued", staged.exists())
        }
        val readable = dir.walkTopDown().filter { it.isFile }.filter { f ->
            String(f.readBytes(), Charsets.ISO_8859_1).contains("ZQXW-riservato")
        }.toList()
        assertEquals("readable in the data directory", emptyList<File>(), readable)
    }

    companion object {
        const val STORE_KEY = "it.pec.store-key"
    }
}
