package it.pec.app.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertIsSelected
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import it.pec.core.App
import it.pec.core.CredentialBackend
import it.pec.core.DownloadPolicy
import it.pec.core.LockPolicy
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import java.nio.file.Files

/** The settings are the core's: changed on the screen, kept in the data directory, obeyed by the lock. */
class SettingsTest {
    @get:Rule val compose = createComposeRule()

    @Test
    fun settingsAreKeptAndTheLockObeysThem() {
        val dir = Files.createTempDirectory("pec-settings").toFile()
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            App(dir.path, CredentialBackend.MEMORY).use { app ->
                val presenter = SettingsPresenter(app, scope)
                compose.setContent {
                    val s by presenter.state.collectAsState()
                    SettingsScreen(s, Italian, presenter)
                }
                compose.waitUntil(10_000) { presenter.state.value.settings != null }
                compose.onNodeWithTag("lock-2").assertIsSelected() // five minutes by default
                compose.onNodeWithTag("lock-0").performClick()
                compose.onNodeWithTag("downloads-all").performClick()
                compose.waitUntil(10_000) {
                    presenter.state.value.settings?.let { it.lock == LockPolicy.Immediately && it.downloads == DownloadPolicy.ALL } == true
                }
                app.wentToBackground(1_000)
                assertTrue("locks at once", app.cameToForeground(1_001))
            }
            // Another start of the app reads what was chosen.
            App(dir.path, CredentialBackend.MEMORY).use { app ->
                val s = runBlocking { app.settings() }
                assertEquals(LockPolicy.Immediately, s.lock)
                assertEquals(DownloadPolicy.ALL, s.downloads)
                assertFalse("no lock without having left", app.cameToForeground(5_000))
            }
        } finally {
            scope.cancel()
            dir.deleteRecursively()
        }
    }
}
