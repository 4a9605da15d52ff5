package it.pec.app

import android.app.Application
import android.content.Context
import it.pec.core.App
import kotlinx.coroutines.runBlocking
import java.io.File

/** Holds the one [App] of the process (one data directory, one sync engine). */
class PecApplication : Application() {
    val core: App by lazy {
        val dir = File(noBackupFilesDir, "pec").apply { mkdirs() }
        App.withSecretStore(dir.path, KeystoreSecrets(this))
    }

    override fun onCreate() {
        super.onCreate()
        Notifications.createChannels(this)
        val minutes = runBlocking { core.settings() }.syncMinutes.toLong()
        SyncWorker.schedule(this, minutes)
    }

    companion object {
        fun core(context: Context): App = (context.applicationContext as PecApplication).core

        /**
         * The store key the unlock released. Held until the next lock, when it is zeroed; the core
         * takes it when the store is encrypted (issue 13).
         */
        @Volatile private var storeKey: ByteArray? = null

        fun unlocked(key: ByteArray) {
            storeKey?.fill(0)
            storeKey = key
        }

        fun locked() {
            storeKey?.fill(0)
            storeKey = null
        }
    }
}
