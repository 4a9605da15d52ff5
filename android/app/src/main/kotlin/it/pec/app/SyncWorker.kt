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
import it.pec.core.DownloadPolicy
import it.pec.core.PecException
import java.util.concurrent.TimeUnit

/**
 * A sync pass of every account at the settings' interval with a network, then a notification of new
 * mail. Only while the core is unlocked: locked, the store's key is not in memory, so nothing is
 * read or written until the user unlocks (the pass is skipped, not failed).
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val core = PecApplication.coreOrNull(applicationContext) ?: return Result.success()
        if (core.isLocked()) return Result.success()
        val bodies = when (core.settings().downloads) {
            DownloadPolicy.RECEIPTS_ONLY -> BodyDownload.RECEIPTS_ONLY
            DownloadPolicy.SMALL -> BodyDownload.SMALL
            DownloadPolicy.ALL -> BodyDownload.ALL
        }
        var added = 0uL
        var retry = false
        for (account in core.accounts()) {
            try {
                added += core.sync(account.id, bodies, null).added
            } catch (e: PecException) {
                // The status says why; a refused login waits for the user, the network retries.
                retry = retry || e is PecException.Network || e is PecException.Timeout
            }
        }
        if (added > 0uL) Notifications.newMail(applicationContext, added)
        return if (retry) Result.retry() else Result.success()
    }

    companion object {
        /** Every `minutes` (the settings' interval; at least 15, the platform's floor). */
        fun schedule(context: Context, minutes: Long) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(minutes, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build()
            WorkManager.getInstance(context)
                .enqueueUniquePeriodicWork("pec-sync", ExistingPeriodicWorkPolicy.UPDATE, request)
        }
    }
}
