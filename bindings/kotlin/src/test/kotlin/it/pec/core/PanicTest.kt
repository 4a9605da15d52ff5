package it.pec.core

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import java.nio.file.Files
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/**
 * A panic inside a facade call (a bug in the core) reaches Kotlin as an exception, never as a
 * crash of the process, and the facade keeps working afterwards. The `panicProbe*` functions
 * exist only in the test build of the library (Cargo feature `panic-probe`, set by run-tests.sh).
 */
class PanicTest {
    private fun app(): App =
        App(Files.createTempDirectory("pec-kt-panic").toFile().path, CredentialBackend.MEMORY)

    private fun offlineAccount(address: String) = NewAccount(
        provider = Provider.CUSTOM,
        address = address,
        password = "pw",
        displayName = null,
        custom = CustomServer("127.0.0.1", 9993u, "127.0.0.1", 9465u, null),
        delegation = null,
        offline = true,
    )

    /** The facade answers normally: an account added and listed, on the same runtime. */
    private fun facadeStillWorks(address: String) = runBlocking {
        app().use { a ->
            a.addAccount(offlineAccount(address))
            assertEquals(listOf(address), a.accounts().map { it.address })
        }
        assertTrue(coreVersion().isNotEmpty())
    }

    @Test
    fun panicInASynchronousCallIsAnInternalException() {
        try {
            panicProbeSync("uno")
            fail("the probe returned")
        } catch (e: InternalException) {
            assertTrue(e.message ?: "", (e.message ?: "").contains("panic probe (sync): uno"))
        }
        facadeStillWorks("dopo.sync@pec.example")
    }

    @Test
    fun panicWhilePollingAnAsyncCallIsAnInternalException() = runBlocking {
        try {
            panicProbeAsync("due")
            fail("the probe returned")
        } catch (e: InternalException) {
            assertTrue(e.message ?: "", (e.message ?: "").contains("panic probe (async): due"))
        }
        facadeStillWorks("dopo.async@pec.example")
    }

    @Test
    fun panicInsideTheCoreRuntimeIsPecExceptionInternalAndTheRuntimeSurvives() = runBlocking {
        // More panics than the runtime has worker threads (two): every one is caught in its task.
        repeat(5) { i ->
            try {
                panicProbeInRuntime("tre-$i")
                fail("the probe returned")
            } catch (e: PecException.Internal) {
                assertTrue(e.detail, e.detail.contains("panicked"))
                assertEquals("internal", errorCode(e))
            }
        }
        assertEquals("", panicProbeInRuntime(""))
        facadeStillWorks("dopo.runtime@pec.example")
    }

    @Test
    fun aListenerThatThrowsDoesNotTakeTheFacadeDown() = runBlocking {
        app().use { a ->
            val good = CountDownLatch(2)
            val bad = a.subscribeChanges(object : ChangeListener {
                override fun onChange(change: ChangeEvent) = throw IllegalStateException("listener bug")
            })
            val ok = a.subscribeChanges(object : ChangeListener {
                override fun onChange(change: ChangeEvent) = good.countDown()
            })
            a.addAccount(offlineAccount("primo@pec.example"))
            a.addAccount(offlineAccount("secondo@pec.example"))
            assertTrue("the other listener keeps receiving", good.await(10, TimeUnit.SECONDS))
            assertEquals(2, a.accounts().size)
            bad.close()
            ok.close()
        }
        facadeStillWorks("dopo.listener@pec.example")
    }
}
