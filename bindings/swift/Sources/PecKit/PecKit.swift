// PecKit: thin Swift conveniences over the generated `PecCore` module (not compiled on the Linux
// machine this was written on: keep it conventional and small).
import Foundation
@_exported import PecCore

/// Texts for the stable error codes (`errorCode(error:)`), Italian and English.
public enum PecErrorText {
    public static let texts: [String: (it: String, en: String)] = [
        "not_found": ("Elemento non trovato: potrebbe essere stato eliminato.", "Not found: it may have been deleted."),
        "invalid_input": ("Controlla i dati inseriti.", "Please check what you entered."),
        "auth": ("Accesso rifiutato: controlla utente e password.", "Login refused: check the username and password."),
        "network": ("Server non raggiungibile. Riprova più tardi.", "The server cannot be reached. Try again later."),
        "timeout": ("Il server non risponde: riprova più tardi o controlla indirizzo e porta.", "The server does not answer: try again later or check the host and port."),
        "tls": ("Connessione sicura non riuscita: certificato non attendibile.", "Secure connection failed: certificate not trusted."),
        "server": ("Il server ha rifiutato l'operazione.", "The server refused the operation."),
        "permission": ("La tua delega non consente questa operazione.", "Your delegation does not allow this."),
        "credentials": ("Password non disponibile: inseriscila di nuovo.", "Password not available: enter it again."),
        "storage": ("Errore dell'archivio locale.", "Local storage error."),
        "unreadable": ("Il file non può essere letto.", "The file cannot be read."),
        "signature_invalid": ("La firma non corrisponde: il file è stato alterato.", "The signature does not match: the file was altered."),
        "not_downloaded": ("Messaggio non ancora scaricato: sincronizza.", "Message not downloaded yet: sync first."),
        "cancelled": ("Operazione annullata.", "Cancelled."),
        "internal": ("Errore interno: segnalalo agli sviluppatori.", "Internal error: please report it."),
    ]

    public static func text(_ error: PecError, italian: Bool) -> String {
        let t = texts[errorCode(error: error)] ?? texts["internal"]!
        return italian ? t.it : t.en
    }
}

private final class MenuRelay: MenuListener, @unchecked Sendable {
    let continuation: AsyncThrowingStream<[MenuEntry], Error>.Continuation
    init(_ c: AsyncThrowingStream<[MenuEntry], Error>.Continuation) { continuation = c }
    func onMenu(entries: [MenuEntry]) { continuation.yield(entries) }
    func onError(error: ErrorEvent) { continuation.finish(throwing: PecKitError.core(error)) }
}

private final class SendRelay: SendListener, @unchecked Sendable {
    let continuation: AsyncThrowingStream<SendStatusView, Error>.Continuation
    init(_ c: AsyncThrowingStream<SendStatusView, Error>.Continuation) { continuation = c }
    func onStatus(status: SendStatusView) {
        continuation.yield(status)
        if status.finished { continuation.finish() }
    }
    func onError(error: ErrorEvent) { continuation.finish(throwing: PecKitError.core(error)) }
}

public enum PecKitError: Error {
    case core(ErrorEvent)
}

public extension App {
    /// The folder menu: current state first, then every change. Ending the stream cancels.
    func folderMenuStream(accountId: Int64) -> AsyncThrowingStream<[MenuEntry], Error> {
        AsyncThrowingStream { continuation in
            let sub = self.subscribeFolderMenu(accountId: accountId, listener: MenuRelay(continuation))
            continuation.onTermination = { _ in sub.cancel() }
        }
    }

    /// A sent PEC's status until it is finished (ticks 0 → 1 → 2).
    func sendStatusStream(outboxId: Int64, pollSeconds: UInt32 = 10) -> AsyncThrowingStream<SendStatusView, Error> {
        AsyncThrowingStream { continuation in
            let sub = self.subscribeSendStatus(outboxId: outboxId, pollSeconds: pollSeconds, listener: SendRelay(continuation))
            continuation.onTermination = { _ in sub.cancel() }
        }
    }
}
