package it.pec.app

import android.app.Application
import android.content.Context
import it.pec.core.App
import kotlinx.coroutines.runBlocking
import java.io.File

/**
 * Holds the one [App] of the process (one data directory, one sync engine). The store is
 * encrypted: the core opens it at the first unlock, with the key the biometric prompt released
 * ([StoreKey]), and the core itself locks and unlocks it after that. Nothing reads the store
 * before the first unlock.
 */
class PecApplication : Application() {
    @Volatile private var opened: App? = null

    override fun onCreate() {
        super.onCreate()
        Notifications.createChannels(this)
    }

    /** Open the store with [key] (first unlock) or unlock the core; [key] is zeroed. */
    fun unlock(key: ByteArray) {
        try {
            val app = opened
            if (app == null) {
                started(App.withStoreKey(dataDir().path, KeystoreSecrets(this), key.copyOf()))
            } else {
                runBlocking { app.unlock(key.copyOf()) }
            }
        } finally {
            key.fill(0)
        }
    }

    /**
     * The vault lost the old key (the core said WrongKey) and the user agreed: the core deletes
     * the unreadable store and opens a new one under [key], which is zeroed.
     */
    fun startAgain(key: ByteArray) {
        try {
            opened?.close()
            opened = null
            started(App.startAgain(dataDir().path, KeystoreSecrets(this), key.copyOf()))
        } finally {
            key.fill(0)
        }
    }

    private fun dataDir() = File(noBackupFilesDir, "pec").apply { mkdirs() }

    private fun started(core: App) {
        opened = core
        SyncWorker.schedule(this, runBlocking { core.settings() }.syncMinutes.toLong())
    }

    companion object {
        private fun of(context: Context) = context.applicationContext as PecApplication

        /** The core once the first unlock opened it; the screens are drawn only after that. */
        fun core(context: Context): App = checkNotNull(of(context).opened) { "the store is not open yet" }

        /** The core if the store was opened in this process (the background worker may run before). */
        fun coreOrNull(context: Context): App? = of(context).opened

        fun unlock(context: Context, key: ByteArray) = of(context).unlock(key)

        fun startAgain(context: Context, key: ByteArray) = of(context).startAgain(key)
    }
}
