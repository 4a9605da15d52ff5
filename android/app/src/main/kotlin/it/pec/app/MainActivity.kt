package it.pec.app

import android.content.Intent
import android.os.Build
import android.os.Bundle
import android.os.SystemClock
import android.view.WindowManager
import android.widget.Toast
import androidx.activity.compose.setContent
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricManager.Authenticators.DEVICE_CREDENTIAL
import androidx.biometric.BiometricPrompt
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.Surface
import androidx.compose.ui.Modifier
import it.pec.app.ui.PecTheme
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import it.pec.app.ui.KeyLostScreen
import it.pec.app.ui.LockScreen
import it.pec.app.ui.Navigator
import it.pec.app.ui.PecApp
import it.pec.app.ui.Strings
import it.pec.app.ui.stringsFor
import it.pec.core.PecException
import it.pec.core.errorCode
import java.util.Locale

/**
 * The one activity: the lock screen until the platform authenticates the user (a strong biometric,
 * or the device credential), then the app. The window is FLAG_SECURE: no screenshots, and a blank
 * thumbnail in the recent apps. Whether to lock again after the app was away is the core's
 * decision (the settings' lock policy, on the monotonic clock): the activity only reports.
 */
class MainActivity : FragmentActivity() {
    private var unlocked by mutableStateOf(false)
    /** Between onStart and onStop: the core keeps the mail current while the app is seen. */
    private var started by mutableStateOf(false)
    /** The store refused the vault's key: the vault lost the old one (see [KeyLostScreen]). */
    private var keyLost by mutableStateOf(false)
    private lateinit var strings: Strings
    private lateinit var platform: AndroidPlatform
    /** Kept by the activity: the place in the app and shared files outlive the lock screen. */
    private val navigator = Navigator()
    private val storeKey by lazy { StoreKey(this) }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        strings = stringsFor(Locale.getDefault().toLanguageTag())
        platform = AndroidPlatform(this)
        platform.receive(intent, navigator::shareIn)
        setContent {
            PecTheme {
                Surface(Modifier.fillMaxSize()) {
                    when {
                        unlocked -> PecApp(PecApplication.core(this), strings, platform, navigator, keepInSync = started)
                        keyLost -> KeyLostScreen(strings) { authenticate(startAgain = true) }
                        else -> LockScreen(strings) { authenticate() }
                    }
                }
            }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        platform.receive(intent, navigator::shareIn)
    }

    override fun onResume() {
        super.onResume()
        if (!unlocked && !keyLost) authenticate()
    }

    override fun onStart() {
        super.onStart()
        started = true
        // The core decides and, when it must, has locked itself (store closed, key wiped). Back
        // locked (or in a new process), the copies handed to other apps are deleted.
        val core = PecApplication.coreOrNull(this)
        if (core == null || core.cameToForeground(SystemClock.elapsedRealtime())) {
            unlocked = false
            platform.clearHandedOut()
        }
    }

    override fun onStop() {
        super.onStop()
        started = false
        PecApplication.coreOrNull(this)?.wentToBackground(SystemClock.elapsedRealtime())
    }

    /** Ask the platform to authenticate, then unlock with the released key (or start again). */
    private fun authenticate(startAgain: Boolean = false) {
        val cipher = storeKey.cipher()
        val prompt = BiometricPrompt(
            this,
            ContextCompat.getMainExecutor(this),
            object : BiometricPrompt.AuthenticationCallback() {
                override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) {
                    val authenticated = result.cryptoObject?.cipher ?: return
                    val key = storeKey.open(authenticated)
                    try {
                        if (startAgain) {
                            PecApplication.startAgain(this@MainActivity, key)
                        } else {
                            PecApplication.unlock(this@MainActivity, key)
                        }
                        keyLost = false
                        unlocked = true
                        platform.unlocked()
                    } catch (e: PecException.WrongKey) {
                        // A new biometric enrolment invalidated the old key: the store cannot be
                        // read any more; the user decides whether to start again.
                        keyLost = true
                    } catch (e: PecException) {
                        Toast.makeText(this@MainActivity, strings.error(errorCode(e)), Toast.LENGTH_LONG).show()
                    }
                }
            },
        )
        // Before Android 11 a key bound to each authentication takes strong biometrics only.
        val builder = BiometricPrompt.PromptInfo.Builder().setTitle(strings.unlockTitle)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
            builder.setAllowedAuthenticators(BIOMETRIC_STRONG or DEVICE_CREDENTIAL)
        } else {
            builder.setAllowedAuthenticators(BIOMETRIC_STRONG).setNegativeButtonText(strings.cancel)
        }
        prompt.authenticate(builder.build(), BiometricPrompt.CryptoObject(cipher))
    }
}
