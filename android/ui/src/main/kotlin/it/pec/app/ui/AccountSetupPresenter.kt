package it.pec.app.ui

import it.pec.core.AccountInfo
import it.pec.core.App
import it.pec.core.CustomServer
import it.pec.core.Delegation
import it.pec.core.NewAccount
import it.pec.core.Permissions
import it.pec.core.Provider
import it.pec.core.ProviderPreset
import it.pec.core.guessProvider
import it.pec.core.parseHostPort
import it.pec.core.providerPresets
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The add-account form as typed, and what the core said of it. */
data class AccountSetupState(
    val presets: List<ProviderPreset> = providerPresets(),
    val address: String = "",
    val password: String = "",
    /** The provider: guessed from the address until the user picks one. */
    val provider: Provider = Provider.CUSTOM,
    val providerPicked: Boolean = false,
    /** Custom servers, `host:port`, and the PEM file of a private CA (for TLS only). */
    val imap: String = "",
    val smtp: String = "",
    val caFile: String = "",
    /** A delegate's own username on someone else's box; empty for the owner. */
    val delegateLogin: String = "",
    /** What the owner allowed the delegate (as set in the provider's webmail). */
    val delegatePermissions: Permissions = Permissions(read = true, write = false, send = false, mailPrograms = true, settings = false),
    /** The login check is under way. */
    val checking: Boolean = false,
    val errorCode: String? = null,
    val added: AccountInfo? = null,
) {
    val preset: ProviderPreset? get() = presets.firstOrNull { it.provider == provider }
}

/**
 * The add-account screen: provider presets guessed from the address (the core's table and guess),
 * a delegated login, and the core's login check, whose failure arrives as a code the screen
 * translates (wrong password, certificate, unreachable, no answer, a delegate without permission).
 */
class AccountSetupPresenter(private val app: App, private val scope: CoroutineScope) {
    private val mutable = MutableStateFlow(AccountSetupState())
    val state: StateFlow<AccountSetupState> = mutable.asStateFlow()

    fun setAddress(address: String) = mutable.update {
        val guessed = if (it.providerPicked) it.provider else guessProvider(address) ?: Provider.CUSTOM
        it.copy(address = address, provider = guessed, errorCode = null)
    }

    fun setPassword(password: String) = mutable.update { it.copy(password = password, errorCode = null) }
    fun pickProvider(provider: Provider) = mutable.update { it.copy(provider = provider, providerPicked = true, errorCode = null) }
    fun setImap(text: String) = mutable.update { it.copy(imap = text, errorCode = null) }
    fun setSmtp(text: String) = mutable.update { it.copy(smtp = text, errorCode = null) }
    fun setCaFile(path: String) = mutable.update { it.copy(caFile = path, errorCode = null) }
    fun setDelegateLogin(login: String) = mutable.update { it.copy(delegateLogin = login, errorCode = null) }
    fun setDelegatePermissions(p: Permissions) = mutable.update { it.copy(delegatePermissions = p, errorCode = null) }

    /** Log in over IMAP and SMTP, and save the account only when that works. */
    fun submit() {
        val s = state.value
        mutable.update { it.copy(checking = true, errorCode = null) }
        scope.launch {
            try {
                val custom = if (s.provider == Provider.CUSTOM) {
                    val imap = parseHostPort(s.imap)
                    val smtp = parseHostPort(s.smtp)
                    CustomServer(imap.host, imap.port, smtp.host, smtp.port, s.caFile.ifBlank { null })
                } else {
                    null
                }
                val delegation = s.delegateLogin.takeIf { it.isNotBlank() }?.let { Delegation(it.trim(), s.delegatePermissions) }
                val info = app.addAccount(NewAccount(s.provider, s.address.trim(), s.password, null, custom, delegation))
                mutable.update { it.copy(checking = false, added = info) }
            } catch (e: Exception) {
                mutable.update { it.copy(checking = false, errorCode = codeOf(e)) }
            }
        }
    }
}
