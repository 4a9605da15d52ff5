import Contacts
import Foundation

/// The phone's own contacts as vCards, for the core to import into the address book. Only those
/// with an e-mail address are read: nothing else in them is for PEC, and their photos would only
/// weigh. Which of them come in, and how they merge, is the core's (`importPhoneContacts`).
enum PhoneContacts {
    /// The vCards; nil when the user refused access to the contacts.
    static func vCards() async throws -> Data? {
        guard try await CNContactStore().requestAccess(for: .contacts) else { return nil }
        return try await Task.detached(priority: .userInitiated) {
            let store = CNContactStore()
            let request = CNContactFetchRequest(keysToFetch: [CNContactVCardSerialization.descriptorForRequiredKeys()])
            var withAddress: [CNContact] = []
            try store.enumerateContacts(with: request) { contact, _ in
                if !contact.emailAddresses.isEmpty { withAddress.append(contact) }
            }
            return try CNContactVCardSerialization.data(with: withAddress)
        }.value
    }
}
