package it.pec.app

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import it.pec.core.PecException
import java.util.concurrent.TimeUnit

/**
 * The core's background pass at the settings' interval with a network (every account that may
 * sync, with the settings' downloads, then the address books), then a notification of new mail.
 * The core decides what the pass does; while it is locked the pass is skipped, not failed.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val core = PecApplication.coreOrNull(applicationContext) ?: return Result.success()
        val pass = try {
            core.backgroundPass()
        } catch (e: PecException) {
            return Result.failure()
        }
        if (pass.added > 0uL) Notifications.newMail(applicationContext, pass.added)
        pass.arrived.forEach { Notifications.quota(applicationContext, it) }
        return if (pass.retry) Result.retry() else Result.success()
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
