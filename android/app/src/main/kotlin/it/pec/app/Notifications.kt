package it.pec.app

import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import it.pec.app.ui.stringsFor
import it.pec.core.AccountArrival
import java.util.Locale

/** The three channels (new PEC, receipts, delivery errors) and what is posted to them. */
object Notifications {
    private const val NEW_MAIL = "new-mail"
    private const val RECEIPTS = "receipts"
    private const val DELIVERY_ERRORS = "delivery-errors"
    /** One notification per account for its quota, apart from the new-mail one (id 1). */
    private const val QUOTA_BASE = 1000

    fun createChannels(context: Context) {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.O) return
        val strings = stringsFor(Locale.getDefault().toLanguageTag())
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannels(
            listOf(
                NotificationChannel(NEW_MAIL, strings.channelNewMail, NotificationManager.IMPORTANCE_DEFAULT),
                NotificationChannel(RECEIPTS, strings.channelReceipts, NotificationManager.IMPORTANCE_LOW),
                NotificationChannel(DELIVERY_ERRORS, strings.channelDeliveryErrors, NotificationManager.IMPORTANCE_HIGH),
            ),
        )
    }

    /** The box became nearly full or full in the background pass (the core tells once per level). */
    fun quota(context: Context, arrival: AccountArrival) {
        val strings = stringsFor(Locale.getDefault().toLanguageTag())
        val text = arrival.quotaAlert?.let(strings::quotaWarning) ?: return
        val notification = NotificationCompat.Builder(context, DELIVERY_ERRORS)
            .setSmallIcon(android.R.drawable.stat_sys_warning)
            .setContentTitle(arrival.name)
            .setContentText(text)
            .setStyle(NotificationCompat.BigTextStyle().bigText(text))
            .setVisibility(NotificationCompat.VISIBILITY_PRIVATE)
            .setAutoCancel(true)
            .build()
        try {
            NotificationManagerCompat.from(context).notify(QUOTA_BASE + arrival.accountId.toInt(), notification)
        } catch (e: SecurityException) {
            // The user has not allowed notifications: the drawer still says it.
        }
    }

    /** "N new messages": the count only, never a sender or a subject on the lock screen. */
    fun newMail(context: Context, count: ULong) {
        val strings = stringsFor(Locale.getDefault().toLanguageTag())
        val notification = NotificationCompat.Builder(context, NEW_MAIL)
            .setSmallIcon(android.R.drawable.ic_dialog_email)
            .setContentTitle(strings.newMessages(count))
            .setVisibility(NotificationCompat.VISIBILITY_PRIVATE)
            .setAutoCancel(true)
            .build()
        try {
            NotificationManagerCompat.from(context).notify(1, notification)
        } catch (e: SecurityException) {
            // The user has not allowed notifications: nothing to show.
        }
    }
}
