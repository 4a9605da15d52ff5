package it.pec.app.ui

import it.pec.core.ComposeDraft
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.getAndUpdate
import kotlinx.coroutines.flow.update

/** Where the user is. The mailbox (the list of the folder the drawer opened) is the root. */
sealed interface Screen {
    data object Mailbox : Screen
    data class Message(val id: Long) : Screen
    data class Invoice(val messageId: Long) : Screen
    /**
     * Writing from `accountId`: blank, or a reply or forward the core prepared; `files` (paths)
     * are attached at once (files shared into the app from another one); `kept`: the compose the
     * core kept when the system closed the app, opened again.
     */
    data class Compose(
        val accountId: Long,
        val start: ComposeDraft? = null,
        val files: List<String> = emptyList(),
        val kept: Long? = null,
    ) : Screen
    /** Searching `accountId`, opened from the folder `folderId` (when the list was one). */
    data class Search(val accountId: Long, val folderId: Long?) : Screen
    data object Settings : Screen
    /** The address book; an address touched there is written to from `accountId`. */
    data class Contacts(val accountId: Long) : Screen
    /** A contact written or changed (`card.id` null: a new one). */
    data class ContactEdit(val card: it.pec.core.ContactCard) : Screen
    data class Permissions(val accountId: Long) : Screen
    data object AddAccount : Screen
}

/**
 * The back stack: opening pushes, back pops, the root stays. The activity keeps it, so it outlives
 * the lock screen: what the user was doing, and files shared into the app while it was locked,
 * are there after the unlock.
 */
class Navigator(root: Screen = Screen.Mailbox) {
    private val mutable = MutableStateFlow(listOf(root))
    val stack: StateFlow<List<Screen>> = mutable.asStateFlow()
    val top: Screen get() = stack.value.last()

    private val sharedFiles = MutableStateFlow<List<String>>(emptyList())

    /** Files another app shared into this one, waiting for a mailbox to write from. */
    val shared: StateFlow<List<String>> = sharedFiles.asStateFlow()

    /** Another app shared `paths` (private copies): a new PEC from the selected mailbox will carry them. */
    fun shareIn(paths: List<String>) = sharedFiles.update { it + paths }

    /** Open compose from `accountId` with the shared files, once there is a mailbox to write from. */
    fun composeShared(accountId: Long) {
        val files = sharedFiles.getAndUpdate { emptyList() }
        if (files.isNotEmpty()) open(Screen.Compose(accountId, files = files))
    }

    fun open(screen: Screen) = mutable.update { it + screen }

    /** Replace the screen on top (compose after sending becomes the message list again). */
    fun replace(screen: Screen) = mutable.update { it.dropLast(1) + screen }

    /** Go back one screen; `false` at the root, where the platform's back leaves the app. */
    fun back(): Boolean {
        if (stack.value.size <= 1) return false
        mutable.update { if (it.size > 1) it.dropLast(1) else it }
        return true
    }

    /** Back to the root (another folder or account was opened). */
    fun home() = mutable.update { listOf(it.first()) }
}
