package it.pec.core

import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.ClassRule
import org.junit.Test
import java.nio.file.Files
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/**
 * The sync while the app is on screen, through the facade against the sandbox (Dovecot and
 * Radicale): mail delivered after the start arrives unasked, the book's cards come at the start,
 * and a locked core refuses to start it.
 */
class LiveSyncTest {
    companion object {
        @ClassRule @JvmField val sandbox = SandboxRule("--accounts", "1", "--carddav")
    }

    private fun app() = App(Files.createTempDirectory("pec-kt-live").toFile().path, CredentialBackend.MEMORY)

    @Test
    fun mailAndCardsArriveWhileTheAppIsOnScreen() = runBlocking {
        val sb = sandbox.process ?: return@runBlocking
        val (url, ca) = sb.carddav()
        val (user, password) = sb.accounts().first()
        app().use { other ->
            val book = other.addAddressBook(url, user, password, ca).single()
            other.saveContact(ContactCard(null, "Marta Bianchi", listOf("marta@pec.example.it"), null,
                null, null, null, listOf(), book = book.id))
            assertEquals(1u, other.syncAddressBooks().single().uploaded)
        }
        app().use { phone ->
            val me = sb.addAccount(phone, user, password)
            phone.addAddressBook(url, user, password, ca)
            val arrived = CountDownLatch(1)
            val changes = phone.subscribeChanges(object : ChangeListener {
                override fun onChange(change: ChangeEvent) {
                    if (change.kind == ChangeKind.MESSAGES && change.accountId == me.id &&
                        runBlocking { phone.listPage(me.id, ViewRef.Inbox, null, 50u).rows.isNotEmpty() }) arrived.countDown()
                }
            })
            val live = phone.startLiveSync()
            assertEquals(listOf(me.id), live.accounts())
            withTimeout(60_000) { while (phone.syncStatus().lastSync == null) delay(50) }
            withTimeout(60_000) { while (phone.contacts().none { it.name == "Marta Bianchi" }) delay(100) }

            val xml = corpusFile("fatturapa/italia-testsdi/IT01234567890_FPR01.xml")
            sb.injectInvoice(user, xml)
            assertTrue("delivered while on screen: arrives unasked", arrived.await(60, TimeUnit.SECONDS))
            assertTrue(live.isRunning())
            live.stop()
            assertFalse(live.isRunning())
            assertEquals(emptyList<Long>(), live.accounts())
            changes.close()

            phone.setSettings(phone.settings().copy(lock = LockPolicy.Immediately))
            phone.wentToBackground(1_000)
            assertTrue(phone.cameToForeground(1_001))
            try {
                phone.startLiveSync()
                fail("a locked core must not sync")
            } catch (e: PecException.Locked) {
            }
        }
    }
}
