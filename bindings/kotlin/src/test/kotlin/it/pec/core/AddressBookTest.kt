package it.pec.core

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.fail
import org.junit.ClassRule
import org.junit.Test
import java.nio.file.Files

/**
 * A CardDAV address book through the facade, against the sandbox's Radicale: one phone adds a
 * contact to the book, another finds the book from the server's address and receives it; a wrong
 * password is refused as the account screens show it.
 */
class AddressBookTest {
    companion object {
        @ClassRule @JvmField val sandbox = SandboxRule("--accounts", "1", "--carddav")
    }

    private fun app() = App(Files.createTempDirectory("pec-kt-books").toFile().path, CredentialBackend.MEMORY)

    @Test
    fun aContactGoesFromOnePhoneToAnotherThroughTheBook() = runBlocking {
        val sb = sandbox.process ?: return@runBlocking
        val (url, ca) = sb.carddav()
        val (user, password) = sb.accounts().first()
        app().use { first ->
            try {
                first.addAddressBook(url, user, "sbagliata", ca)
                fail("a wrong password must be refused")
            } catch (e: PecException.Auth) {
            }
            val book = first.addAddressBook(url, user, password, ca).single()
            assertEquals("Rubrica", book.name)
            first.saveContact(ContactCard(null, "Anna Verdi", listOf("anna@pec.example.it"), "Studio Verdi",
                null, null, null, listOf("Clienti"), book = book.id))
            val up = first.syncAddressBooks().single()
            assertNull(up.error)
            assertEquals(1u, up.uploaded)

            app().use { second ->
                val theirs = second.addAddressBook(url, user, password, ca).single()
                val down = second.syncAddressBooks().single()
                assertEquals(1u, down.added)
                val anna = second.contacts().single()
                assertEquals("Anna Verdi" to theirs.id, anna.name to anna.book)
                assertEquals(listOf("Clienti"), anna.groups)
                second.saveContact(anna.copy(notes = "dal secondo telefono"))
                assertEquals(1u, second.syncAddressBooks().single().uploaded)
            }
            assertEquals(1u, first.syncAddressBooks().single().updated)
            assertEquals("dal secondo telefono", first.contacts().single().notes)
        }
    }
}
