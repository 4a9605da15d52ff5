package it.pec.app

import android.content.Context
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.util.Base64
import java.security.KeyStore
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The store key: 256 random bits made once, kept only wrapped by a Keystore key that the user's
 * strong biometric or device credential must unlock for each use, and that a new enrolment
 * invalidates (someone who adds a fingerprint does not get the mailbox). The lock screen asks
 * BiometricPrompt to authenticate the [Cipher] this class prepares; the unwrapped key goes to the
 * core ([PecApplication.unlock]), which opens the encrypted store with it and wipes it at every lock.
 */
class StoreKey(context: Context) {
    private val prefs = context.getSharedPreferences("store-key", Context.MODE_PRIVATE)

    /** A cipher to authenticate: decrypts the wrapped key, or wraps a new one the first time. */
    fun cipher(): Cipher {
        val wrapped = prefs.getString(WRAPPED, null)?.let { Base64.decode(it, Base64.NO_WRAP) }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            if (wrapped == null) {
                cipher.init(Cipher.ENCRYPT_MODE, wrappingKey())
            } else {
                cipher.init(Cipher.DECRYPT_MODE, wrappingKey(), GCMParameterSpec(128, wrapped, 0, IV_BYTES))
            }
        } catch (e: KeyPermanentlyInvalidatedException) {
            // A new biometric was enrolled: the old key is gone for good, and with it the store's
            // key. Start again: the core then refuses the old store (WrongKey).
            forget()
            return cipher()
        }
        return cipher
    }

    /** The store key, with the cipher BiometricPrompt authenticated. Copy it, then zero it. */
    fun open(authenticated: Cipher): ByteArray {
        val wrapped = prefs.getString(WRAPPED, null)?.let { Base64.decode(it, Base64.NO_WRAP) }
        if (wrapped != null) return authenticated.doFinal(wrapped, IV_BYTES, wrapped.size - IV_BYTES)
        val key = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val sealed = authenticated.iv + authenticated.doFinal(key)
        prefs.edit().putString(WRAPPED, Base64.encodeToString(sealed, Base64.NO_WRAP)).apply()
        return key
    }

    private fun forget() {
        KeyStore.getInstance(KEYSTORE).apply { load(null) }.deleteEntry(ALIAS)
        prefs.edit().remove(WRAPPED).apply()
    }

    private fun wrappingKey(): SecretKey {
        val keystore = KeyStore.getInstance(KEYSTORE).apply { load(null) }
        (keystore.getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val spec = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setUserAuthenticationRequired(true)
            .setInvalidatedByBiometricEnrollment(true)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
            // Every use authenticated, by a strong biometric or the device credential.
            spec.setUserAuthenticationParameters(0, KeyProperties.AUTH_BIOMETRIC_STRONG or KeyProperties.AUTH_DEVICE_CREDENTIAL)
        }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
        generator.init(spec.build())
        return generator.generateKey()
    }

    private companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "pec.store-key"
        const val WRAPPED = "wrapped"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
    }
}
