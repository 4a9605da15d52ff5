package it.pec.app.ui

import it.pec.core.AccountInfo
import it.pec.core.App
import it.pec.core.DeniedAction
import it.pec.core.MessageAction
import it.pec.core.MessageView
import it.pec.core.actionNeeds
import it.pec.core.ui.changesFlow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The message screen's state: the core's view of the message (facts, signature, timeline). */
data class MessageState(
    val view: MessageView? = null,
    /** The message's account: what its login may not do ([AccountInfo.denied]). */
    val account: AccountInfo? = null,
    /** The body is being downloaded. */
    val downloading: Boolean = false,
    val errorCode: String? = null,
)

/**
 * One message from the facade. A header-only message is downloaded first, since only its body
 * lets the core check what is certified; the view is read again at every change of the account
 * (a receipt moves the recipients' timeline).
 */
class MessagePresenter(private val app: App, private val scope: CoroutineScope, private val messageId: Long) {
    private val mutable = MutableStateFlow(MessageState())
    val state: StateFlow<MessageState> = mutable.asStateFlow()

    init {
        scope.launch {
            load()
            if (state.value.view?.downloaded == false) download()
            val account = state.value.view?.row?.accountId
            app.changesFlow().conflate().collect { change ->
                if (change.accountId == null || change.accountId == account) load()
            }
        }
    }

    /** Why `action` may not be taken by this login (the core's reason), or `null` when it may. */
    fun refusal(action: MessageAction): DeniedAction? {
        val needs = actionNeeds(action)
        return state.value.account?.denied?.firstOrNull { it.action == needs }
    }

    /** Apply an action (the core checks the permissions again and refuses with a code). */
    fun apply(action: MessageAction) {
        scope.launch {
            try {
                app.apply(messageId, action)
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
            load()
        }
    }

    private suspend fun download() {
        mutable.update { it.copy(downloading = true) }
        try {
            app.download(messageId)
        } catch (e: Exception) {
            mutable.update { it.copy(errorCode = codeOf(e)) }
        }
        mutable.update { it.copy(downloading = false) }
        load()
    }

    private suspend fun load() {
        try {
            val view = app.message(messageId)
            val account = state.value.account ?: app.account(view.row.accountId)
            mutable.update { it.copy(view = view, account = account) }
        } catch (e: Exception) {
            mutable.update { it.copy(errorCode = codeOf(e)) }
        }
    }
}
