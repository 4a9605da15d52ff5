import PecKit
import SwiftUI

/// A contact written or changed: the form as typed; the core checks and tidies it (a name, real
/// addresses, one-line fields) and keeps it, in a CardDAV book when one is chosen.
@Observable @MainActor
final class ContactEditModel {
    var name: String
    /// One field per address; fields left empty are not addresses the user gave.
    var addresses: [String]
    var organisation: String
    var vat: String
    var taxCode: String
    var notes: String
    /// The book it is kept in; nil: this device only.
    var book: Int64?
    /// The groups (recipient lists) it is in; a name not yet a group becomes one on save.
    var groups: [String]
    var newGroup = ""
    private(set) var books: [AddressBookInfo] = []
    private(set) var allGroups: [String] = []
    private(set) var busy = false
    private(set) var errorCode: String?
    private let card: ContactCard

    var saved: Bool { card.id != nil }

    init(_ card: ContactCard) {
        self.card = card
        name = card.name
        addresses = card.addresses.isEmpty ? [""] : card.addresses
        organisation = card.organisation ?? ""
        vat = card.vat ?? ""
        taxCode = card.taxCode ?? ""
        notes = card.notes ?? ""
        book = card.book
        groups = card.groups
    }

    /// Every group known and the contact's own, each once.
    var groupChoices: [String] {
        allGroups + groups.filter { !allGroups.contains($0) }
    }

    func setMember(_ group: String, _ member: Bool) {
        groups.removeAll { $0 == group }
        if member { groups.append(group) }
    }

    /// The typed name joins the contact's groups (the core creates the group on save).
    func addGroup() {
        let name = newGroup.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return }
        setMember(name, true)
        newGroup = ""
    }

    func load(_ app: App) async {
        do {
            books = try await app.addressBooks()
            allGroups = try await app.groups().map(\.name)
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// Save; true when the core kept it (else `errorCode` says why).
    func save(_ app: App) async -> Bool {
        var next = card
        next.name = name
        next.addresses = addresses.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        next.organisation = organisation
        next.vat = vat
        next.taxCode = taxCode
        next.notes = notes
        next.book = book
        next.groups = groups
        return await run { _ = try await app.saveContact(contact: next) }
    }

    func remove(_ app: App) async -> Bool {
        guard let id = card.id else { return false }
        return await run { try await app.removeContact(contactId: id) }
    }

    private func run(_ work: () async throws -> Void) async -> Bool {
        guard !busy else { return false }
        busy = true
        errorCode = nil
        defer { busy = false }
        do {
            try await work()
            return true
        } catch {
            errorCode = PecKit.errorCode(of: error)
            return false
        }
    }
}

struct ContactEditScreen: View {
    let app: App
    /// Called once the contact was saved or removed.
    let done: () -> Void
    @State private var model: ContactEditModel

    init(app: App, card: ContactCard, done: @escaping () -> Void) {
        self.app = app
        self.done = done
        _model = State(initialValue: ContactEditModel(card))
    }

    var body: some View {
        Form {
            Section {
                TextField("contact.name", text: $model.name).textContentType(.name)
                ForEach(model.addresses.indices, id: \.self) { i in
                    TextField("setup.address", text: address(i))
                        .textContentType(.emailAddress).keyboardType(.emailAddress)
                        .textInputAutocapitalization(.never).autocorrectionDisabled()
                }
                .onDelete { model.addresses.remove(atOffsets: $0) }
                Button("contact.addAddress", systemImage: "plus") { model.addresses.append("") }
            }
            Section {
                TextField("contact.organisation", text: $model.organisation).textContentType(.organizationName)
                TextField("contact.vat", text: $model.vat).textInputAutocapitalization(.characters)
                TextField("contact.taxCode", text: $model.taxCode).textInputAutocapitalization(.characters)
                TextField("contact.notes", text: $model.notes, axis: .vertical)
            }
            Section("contact.groups") {
                ForEach(model.groupChoices, id: \.self) { g in
                    Toggle(g, isOn: Binding(get: { model.groups.contains(g) }, set: { model.setMember(g, $0) }))
                }
                HStack {
                    TextField("contact.newGroup", text: $model.newGroup)
                    Button("contact.addGroup") { model.addGroup() }
                }
            }
            if !model.books.isEmpty {
                Picker("contact.keptIn", selection: $model.book) {
                    Text("contact.deviceOnly").tag(Int64?.none)
                    ForEach(model.books, id: \.id) { b in Text(b.name).tag(Int64?.some(b.id)) }
                }
            }
            if model.saved {
                Button("contacts.remove", role: .destructive) {
                    Task { if await model.remove(app) { done() } }
                }
                .disabled(model.busy)
            }
            if let code = model.errorCode {
                Text(ErrorText.of(code)).foregroundStyle(.red)
            }
        }
        .navigationTitle(model.saved ? LocalizedStringKey("contact.edit") : LocalizedStringKey("contact.new"))
        .toolbar {
            ToolbarItem(placement: .confirmationAction) {
                Button("contact.save") { Task { if await model.save(app) { done() } } }.disabled(model.busy)
            }
        }
        .task { await model.load(app) }
    }

    /// The field of address `i`, safe while a deletion shrinks the list under the rows.
    private func address(_ i: Int) -> Binding<String> {
        Binding(
            get: { i < model.addresses.count ? model.addresses[i] : "" },
            set: { if i < model.addresses.count { model.addresses[i] = $0 } })
    }
}
