package it.pec.app

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import it.pec.core.BodyDownload
import it.pec.core.PecException
import java.util.concurrent.TimeUnit

/** A sync pass of every account every 15 minutes with a network, then a notification of new mail. */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val core = PecApplication.core(applicationContext)
        var added = 0uL
        var retry = false
        for (account in core.accounts()) {
            try {
                added += core.sync(account.id, BodyDownload.SMALL, null).added
            } catch (e: PecException) {
                // The status says why; a refused login waits for the user, the network retries.
                retry = retry || e is PecException.Network || e is PecException.Timeout
            }
        }
        if (added > 0uL) Notifications.newMail(applicationContext, added)
        return if (retry) Result.retry() else Result.success()
    }

    companion object {
        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(15, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build()
            WorkManager.getInstance(context)
                .enqueueUniquePeriodicWork("pec-sync", ExistingPeriodicWorkPolicy.KEEP, request)
        }
    }
}
