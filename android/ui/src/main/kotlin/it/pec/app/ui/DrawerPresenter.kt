package it.pec.app.ui

import it.pec.core.AccountInfo
import it.pec.core.App
import it.pec.core.ChangeKind
import it.pec.core.MenuEntry
import it.pec.core.ui.changesFlow
import it.pec.core.ui.folderMenuFlow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.catch
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** What the ☰ drawer shows: the accounts, the one selected, its folder menu as the core orders it. */
data class DrawerState(
    val accounts: List<AccountInfo> = emptyList(),
    val selected: Long? = null,
    val entries: List<MenuEntry> = emptyList(),
    /** The accounts were read once: an empty list now means "no mailbox yet". */
    val loaded: Boolean = false,
    /** The code of the last failure (`PecError::code`), for [Strings.error]. */
    val errorCode: String? = null,
)

/**
 * The drawer's state from the facade: the account list (again whenever accounts change) and the
 * selected account's folder menu (the core sends it first, then at every change). The order of the
 * folders, the virtual folders and the unread counts are the core's.
 */
class DrawerPresenter(private val app: App, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow(DrawerState())
    val state: StateFlow<DrawerState> = mutable.asStateFlow()
    private var menu: Job? = null

    init {
        scope.launch {
            loadAccounts()
            app.changesFlow().filter { it.kind == ChangeKind.ACCOUNTS }.collect { loadAccounts() }
        }
    }

    /** Show `accountId`'s folders. */
    fun select(accountId: Long) {
        mutable.update { it.copy(selected = accountId, entries = emptyList(), errorCode = null) }
        menu?.cancel()
        menu = scope.launch {
            app.folderMenuFlow(accountId)
                .catch { e -> mutable.update { it.copy(errorCode = codeOf(e)) } }
                .collect { entries -> mutable.update { it.copy(entries = entries) } }
        }
    }

    private suspend fun loadAccounts() {
        val accounts = try {
            app.accounts()
        } catch (e: Exception) {
            mutable.update { it.copy(errorCode = codeOf(e)) }
            return
        }
        mutable.update { it.copy(accounts = accounts, loaded = true) }
        val selected = state.value.selected
        if (selected == null || accounts.none { it.id == selected }) {
            accounts.firstOrNull()?.let { select(it.id) }
        }
    }
}
