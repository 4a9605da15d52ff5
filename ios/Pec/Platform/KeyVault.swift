import Foundation
import LocalAuthentication
import PecKit
import Security

/// The store key (32 random bytes, made once by the core) in a Keychain item that only this
/// device, unlocked, with the user's current Face ID or Touch ID enrolment can read
/// (`.biometryCurrentSet`): a face or finger added later makes it unreadable for good, so someone
/// who enrols their own does not get the mailbox (the store then refuses the new key and the app
/// offers to start again). On a device without biometrics the item asks for the passcode instead.
struct KeyVault: Sendable {
    enum Failure: Error {
        case cancelled
        case keychain(OSStatus)
    }

    private static let service = "it.pec.app.store-key"

    /// The key, after the system's prompt; a new one is made and kept the first time (and after
    /// the old one was lost).
    func storeKey() async throws -> Data {
        let context = try await authenticated()
        if let key = try read(context) {
            return key
        }
        let key = try newStoreKey()
        try keep(key)
        return key
    }

    /// A context that passed the system's prompt. After too many failed faces or fingers the
    /// passcode lifts the lockout, then biometrics are asked again (the key itself opens only
    /// with them).
    private func authenticated() async throws -> LAContext {
        let reason = String(localized: "lock.reason")
        let context = LAContext()
        context.localizedFallbackTitle = ""
        do {
            _ = try await context.evaluatePolicy(policy(), localizedReason: reason)
            return context
        } catch let error as LAError where error.code == .biometryLockout {
            _ = try await LAContext().evaluatePolicy(.deviceOwnerAuthentication, localizedReason: reason)
            return try await authenticated()
        } catch let error as LAError where [.userCancel, .appCancel, .systemCancel].contains(error.code) {
            throw Failure.cancelled
        }
    }

    private func policy() -> LAPolicy {
        LAContext().canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil)
            ? .deviceOwnerAuthenticationWithBiometrics
            : .deviceOwnerAuthentication
    }

    private func read(_ context: LAContext) throws -> Data? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: Self.service,
            kSecReturnData as String: true,
            kSecUseAuthenticationContext as String: context,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess: return item as? Data
        case errSecItemNotFound: return nil
        case errSecUserCanceled: throw Failure.cancelled
        default: throw Failure.keychain(status)
        }
    }

    private func keep(_ key: Data) throws {
        let biometric = LAContext().canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil)
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            nil, kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly,
            biometric ? .biometryCurrentSet : .devicePasscode, &error
        ) else {
            throw Failure.keychain(errSecParam)
        }
        SecItemDelete([kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: Self.service] as CFDictionary)
        let item: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: Self.service,
            kSecAttrAccessControl as String: access,
            kSecValueData as String: key,
        ]
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else { throw Failure.keychain(status) }
    }
}
