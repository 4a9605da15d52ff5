import Foundation
import PecKit
import Security

/// The account passwords for the core (the facade's `SecretStore`), each a Keychain item of this
/// device, readable while it is unlocked, never in a backup. The core asks for one when it logs in.
final class KeychainSecrets: SecretStore, Sendable {
    private static let service = "it.pec.app.account"

    func get(login: String) throws -> String? {
        var query = Self.query(login)
        query[kSecReturnData as String] = true
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else { throw Self.failure(status) }
        return String(data: data, encoding: .utf8)
    }

    func set(login: String, secret: String) throws {
        SecItemDelete(Self.query(login) as CFDictionary)
        var item = Self.query(login)
        item[kSecValueData as String] = Data(secret.utf8)
        item[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else { throw Self.failure(status) }
    }

    func delete(login: String) throws {
        let status = SecItemDelete(Self.query(login) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw Self.failure(status) }
    }

    private static func query(_ login: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: login.lowercased(),
        ]
    }

    private static func failure(_ status: OSStatus) -> PecError {
        .Credentials(detail: "Keychain status \(status)")
    }
}
