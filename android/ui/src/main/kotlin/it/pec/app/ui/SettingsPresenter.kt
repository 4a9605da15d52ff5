package it.pec.app.ui

import it.pec.core.App
import it.pec.core.AppSettings
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class SettingsState(val settings: AppSettings? = null, val errorCode: String? = null)

/** The settings the core keeps (lock policy, receipts in lists, sync interval, downloads). */
class SettingsPresenter(private val app: App, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow(SettingsState())
    val state: StateFlow<SettingsState> = mutable.asStateFlow()

    init {
        scope.launch {
            try {
                val s = app.settings()
                mutable.update { it.copy(settings = s) }
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
}
