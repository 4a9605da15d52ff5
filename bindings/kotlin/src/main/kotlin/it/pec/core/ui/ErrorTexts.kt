package it.pec.core.ui

import it.pec.core.PecException
import it.pec.core.errorCode

/**
 * What the shells show for each stable error code, in Italian and English. The Android app moves
 * these into `strings.xml`; this map is the JVM-testable reference (every code must have both).
 */
object ErrorTexts {
    val texts: Map<String, Pair<String, String>> = mapOf(
        "not_found" to ("Elemento non trovato: potrebbe essere stato eliminato." to "Not found: it may have been deleted."),
        "invalid_input" to ("Controlla i dati inseriti." to "Please check what you entered."),
        "auth" to ("Accesso rifiutato: controlla utente e password." to "Login refused: check the username and password."),
        "network" to ("Server non raggiungibile. Riprova più tardi." to "The server cannot be reached. Try again later."),
        "timeout" to ("Il server non risponde: riprova più tardi o controlla indirizzo e porta." to "The server does not answer: try again later or check the host and port."),
        "tls" to ("Connessione sicura non riuscita: certificato non attendibile." to "Secure connection failed: certificate not trusted."),
        "server" to ("Il server ha rifiutato l'operazione." to "The server refused the operation."),
        "permission" to ("La tua delega non consente questa operazione." to "Your delegation does not allow this."),
        "credentials" to ("Password non disponibile: inseriscila di nuovo." to "Password not available: enter it again."),
        "storage" to ("Errore dell'archivio locale." to "Local storage error."),
        "unreadable" to ("Il file non può essere letto." to "The file cannot be read."),
        "signature_invalid" to ("La firma non corrisponde: il file è stato alterato." to "The signature does not match: the file was altered."),
        "not_downloaded" to ("Messaggio non ancora scaricato: sincronizza." to "Message not downloaded yet: sync first."),
        "cancelled" to ("Operazione annullata." to "Cancelled."),
        "too_large" to ("File troppo grande per l'app." to "The file is too large for the app."),
        "locked" to ("App bloccata: sbloccala per continuare." to "The app is locked: unlock it to go on."),
        "wrong_key" to ("Chiave o passphrase errata: nulla è stato modificato." to "Wrong key or passphrase: nothing was changed."),
        "key_needed" to ("L'archivio è cifrato: serve la sua chiave." to "The store is encrypted: its key is needed."),
        "not_encrypted" to ("L'archivio non è ancora cifrato." to "The store is not encrypted yet."),
        "store_damaged" to ("Archivio locale danneggiato: risincronizza dal server." to "The local store is damaged: resync from the server."),
        "internal" to ("Errore interno: segnalalo agli sviluppatori." to "Internal error: please report it."),
    )

    /** The text for [e] in [language] ("it" or anything else for English). */
    fun text(e: PecException, language: String): String {
        val (it, en) = texts[errorCode(e)] ?: texts.getValue("internal")
        return if (language.startsWith("it")) it else en
    }
}
