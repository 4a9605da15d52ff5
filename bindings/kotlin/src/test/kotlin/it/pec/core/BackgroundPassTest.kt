package it.pec.core

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.ClassRule
import org.junit.Test
import java.nio.file.Files

/**
 * The pass Android's `SyncWorker` and iOS's `BackgroundRefresh` run while the app is away, through
 * the facade against the sandbox (Dovecot and Radicale): the mail of every account that may sync,
 * then the address books, in one call.
 */
class BackgroundPassTest {
    companion object {
        @ClassRule @JvmField val sandbox = SandboxRule("--accounts", "1", "--carddav")
    }

    private fun app() = App(Files.createTempDirectory("pec-kt-pass").toFile().path, CredentialBackend.MEMORY)

    @Test
    fun theBackgroundPassBringsMailAndTheBooksChanges() = runBlocking {
        val sb = sandbox.process ?: return@runBlocking
        val (url, ca) = sb.carddav()
        val (user, password) = sb.accounts().first()
        app().use { first ->
            val book = first.addAddressBook(url, user, password, ca).single()
            first.saveContact(ContactCard(null, "Luca Neri", listOf("luca@pec.example.it"), null,
                null, null, null, listOf(), book = book.id))
            assertEquals(1u, first.syncAddressBooks().single().uploaded)
        }
        app().use { phone ->
            val me = sb.addAccount(phone, user, password)
            phone.addAddressBook(url, user, password, ca)
            val pass = phone.backgroundPass()
            assertEquals(false, pass.locked)
            assertEquals(listOf(me.id), pass.arrived.map { it.accountId })
            assertEquals(user, pass.arrived.single().name)
            assertEquals(pass.arrived.sumOf { it.added }, pass.added)
            assertNull(pass.books.single().error)
            assertEquals(1u, pass.books.single().added)
            assertEquals(listOf("Luca Neri"), phone.contacts().map { it.name })
            // Another pass: nothing new, and the account is still synced.
            val again = phone.backgroundPass()
            assertEquals(0uL, again.added)
            assertTrue(again.books.single().error == null && again.books.single().added == 0u)
        }
    }
}
