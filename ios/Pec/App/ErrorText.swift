import PecKit
import SwiftUI

/// What the screens say for each stable error code of the core (`errorCode(of:)`), in the
/// catalog's languages; an unknown code reads as an internal error.
enum ErrorText {
    static func of(_ code: String) -> LocalizedStringKey {
        switch code {
        case "not_found": return "error.notFound"
        case "invalid_input": return "error.invalidInput"
        case "auth": return "error.auth"
        case "network": return "error.network"
        case "timeout": return "error.timeout"
        case "tls": return "error.tls"
        case "server": return "error.server"
        case "permission": return "error.permission"
        case "credentials": return "error.credentials"
        case "storage": return "error.storage"
        case "unreadable": return "error.unreadable"
        case "signature_invalid": return "error.signatureInvalid"
        case "not_downloaded": return "error.notDownloaded"
        case "cancelled": return "error.cancelled"
        case "too_large": return "error.tooLarge"
        case "locked": return "error.locked"
        case "wrong_key": return "error.wrongKey"
        case "key_needed": return "error.keyNeeded"
        case "not_encrypted": return "error.notEncrypted"
        case "store_damaged": return "error.storeDamaged"
        default: return "error.internal"
        }
    }
}
