package it.pec.app.ui

import it.pec.core.AccountInfo
import it.pec.core.App
import it.pec.core.AppSettings
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class SettingsState(
    val settings: AppSettings? = null,
    /** The accounts, each with the signature the core keeps for it. */
    val accounts: List<AccountInfo> = emptyList(),
    /** Signatures being written, by account, until saved. */
    val signatures: Map<Long, String> = emptyMap(),
    val errorCode: String? = null,
)

/**
 * The settings the core keeps (lock policy, receipts in lists, sync interval, downloads) and each
 * account's signature (what new messages, replies and forwards open with).
 */
class SettingsPresenter(private val app: App, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow(SettingsState())
    val state: StateFlow<SettingsState> = mutable.asStateFlow()

    init {
        scope.launch {
            try {
                val s = app.settings()
                val accounts = app.accounts()
                mutable.update { it.copy(settings = s, accounts = accounts) }
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }

    /** Change and save (the core refuses what it would not honour). */
    fun change(edit: (AppSettings) -> AppSettings) {
        val current = state.value.settings ?: return
        val next = edit(current)
        scope.launch {
            try {
                app.setSettings(next)
                mutable.update { it.copy(settings = next, errorCode = null) }
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }

    /** The signature of `accountId` as it is being written. */
    fun writeSignature(accountId: Long, text: String) = mutable.update { it.copy(signatures = it.signatures + (accountId to text)) }

    /** Keep the signature written for `accountId`; the core cleans it (an empty one clears it). */
    fun saveSignature(accountId: Long) {
        val text = state.value.signatures[accountId] ?: return
        scope.launch {
            try {
                val kept = app.setSignature(accountId, text)
                mutable.update { s ->
                    s.copy(accounts = s.accounts.map { if (it.id == accountId) it.copy(signature = kept) else it },
                        signatures = s.signatures - accountId, errorCode = null)
                }
            } catch (e: Exception) {
                mutable.update { it.copy(errorCode = codeOf(e)) }
            }
        }
    }
}
