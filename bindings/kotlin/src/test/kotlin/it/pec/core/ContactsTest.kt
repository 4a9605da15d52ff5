package it.pec.core

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import java.nio.file.Files

/** The address book through the facade, as the apps' compose and contacts screens use it. */
class ContactsTest {
    private val vcards = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anna Verdi\r\nEMAIL:anna@pec.example.it\r\nORG:Studio Verdi\r\n" +
            "CATEGORIES:Studio\r\nEND:VCARD\r\n" +
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Neri;Luca;;;\r\nEMAIL:luca@pec.example.it\r\nCATEGORIES:Studio\r\nEND:VCARD\r\n" +
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rotto\r\nEMAIL:non valido\r\nEND:VCARD\r\n"
        ).toByteArray()

    @Test
    fun importCompleteGroupAndExport() = runBlocking {
        App(Files.createTempDirectory("pec-kt-contacts").toFile().path, CredentialBackend.MEMORY).use { app ->
            val report = app.importContacts(vcards, ContactFileFormat.V_CARD)
            assertEquals(2u, report.imported)
            assertEquals(1u, report.skipped)
            assertEquals(14u, report.errors.single().line)

            val people = app.people()
            assertEquals(listOf("Anna Verdi", "Luca Neri"), people.map { it.name })
            assertTrue(people.all { it.saved && it.addresses.single().proof == PecProof.Unknown })

            val hints = app.suggestAddresses("ver", 5u)
            assertEquals("anna@pec.example.it", hints.single().address)
            assertEquals(listOf("anna@pec.example.it", "luca@pec.example.it"), app.expandRecipients(listOf("studio")))

            val anna = people.first().contact!!
            app.saveContact(anna.copy(notes = "dal 2020", groups = listOf()))
            assertEquals(listOf("Luca Neri"), app.groups().single().members)
            val csv = app.exportContacts(ContactFileFormat.CSV)
            assertTrue(csv.lines().first().startsWith("Name,E-mail 1 - Value"))
            assertTrue(csv.contains("dal 2020"))

            app.removeContact(anna.id!!)
            assertEquals(listOf("Luca Neri"), app.people().map { it.name })
        }
    }
}
