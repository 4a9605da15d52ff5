package it.pec.core.ui

import it.pec.core.App
import it.pec.core.ChangeEvent
import it.pec.core.ChangeListener
import it.pec.core.DeliveryListener
import it.pec.core.DeliveryStatus
import it.pec.core.ErrorEvent
import it.pec.core.MenuEntry
import it.pec.core.MenuListener
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow

/** Raised in a flow when the core reports an error to a listener. */
class CoreEventException(val event: ErrorEvent) : Exception("${event.code}: ${event.detail}")

/** The folder menu: current state first, then every change. Cancelling the flow cancels the core's task. */
fun App.folderMenuFlow(accountId: Long): Flow<List<MenuEntry>> = callbackFlow {
    val sub = subscribeFolderMenu(accountId, object : MenuListener {
        override fun onMenu(entries: List<MenuEntry>) { trySend(entries) }
        override fun onError(error: ErrorEvent) { close(CoreEventException(error)) }
    })
    awaitClose { sub.cancel(); sub.close() }
}

/** A sent message's delivery: current state first, then at every receipt. */
fun App.deliveryFlow(messageId: Long): Flow<DeliveryStatus> = callbackFlow {
    val sub = subscribeDelivery(messageId, object : DeliveryListener {
        override fun onDelivery(status: DeliveryStatus) { trySend(status) }
        override fun onError(error: ErrorEvent) { close(CoreEventException(error)) }
    })
    awaitClose { sub.cancel(); sub.close() }
}

/** Every store change. */
fun App.changesFlow(): Flow<ChangeEvent> = callbackFlow {
    val sub = subscribeChanges(object : ChangeListener {
        override fun onChange(change: ChangeEvent) { trySend(change) }
    })
    awaitClose { sub.cancel(); sub.close() }
}
