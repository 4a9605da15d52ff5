import PecKit
import SwiftUI

/// The address book: the people the core lists (saved contacts, then correspondents), each
/// address with what the mail proved about it; the completion's search over names, addresses,
/// VAT numbers and tax codes; the CardDAV books with "sync now". Every decision is the core's; this
/// model keeps what it answered and the form as typed.
@Observable @MainActor
final class ContactsModel {
    /// The pages read so far, in the core's order; nil until the first came.
    private(set) var people: [PersonRow]?
    /// Where the next page starts, as the core gave it with the last; nil: the list is whole.
    /// The last row's appearance asks for it.
    private(set) var next: PeopleCursor?
    @ObservationIgnored private var loadingMore = false
    private static let page: UInt32 = 100
    var query = ""
    /// What the core's completion found for `query`; nil with no query.
    private(set) var matches: [AddressSuggestion]?
    private(set) var books: [AddressBookInfo] = []
    /// The groups (recipient lists) with their members' names.
    private(set) var groups: [GroupInfo] = []
    /// What the last "sync now" did, one report per book.
    private(set) var reports: [BookSyncReport] = []
    /// What the last import of the phone's contacts did.
    private(set) var phoneImport: ContactImport?
    /// The user refused access to the phone's contacts.
    private(set) var phoneRefused = false
    /// The CardDAV form, shown while `adding`. A self-hosted server's certificate must chain to
    /// a CA the system trusts: iOS has no file to name, as for a mailbox.
    var adding = false
    var url = ""
    var username = ""
    var password = ""
    private(set) var busy = false
    private(set) var errorCode: String?

    /// A blank card for "new contact".
    static let blankCard = ContactCard(
        id: nil, name: "", addresses: [], organisation: nil, taxCode: nil, vat: nil, notes: nil,
        groups: [], book: nil)

    /// The first page again (at the start, after an edit or a sync) and the books.
    func load(_ app: App) async {
        do {
            let first = try await app.peoplePage(after: nil, limit: Self.page)
            books = try await app.addressBooks()
            groups = try await app.groups()
            people = first.people
            next = first.next
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// The next page, after the last person read.
    func loadMore(_ app: App) async {
        guard let after = next, !loadingMore else { return }
        loadingMore = true
        defer { loadingMore = false }
        do {
            let page = try await app.peoplePage(after: after, limit: Self.page)
            // A reload meanwhile started the list again: this page belongs to the old one.
            guard next == after else { return }
            people = (people ?? []) + page.people
            next = page.next
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// Run again at each keystroke (`.task(id:)` cancels the previous one): asks the core once
    /// the typing pauses.
    func search(_ app: App) async {
        let typed = query
        guard !typed.trimmingCharacters(in: .whitespaces).isEmpty else {
            matches = nil
            return
        }
        try? await Task.sleep(for: .milliseconds(150))
        guard !Task.isCancelled else { return }
        do {
            let found = try await app.suggestAddresses(typed: typed, limit: 50)
            if typed == query { matches = found }
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// Import the phone's contacts: the core keeps those with an e-mail address and merges those
    /// already here.
    func importPhone(_ app: App) async {
        await whileBusy {
            guard let vcards = try await PhoneContacts.vCards() else {
                phoneRefused = true
                return
            }
            phoneRefused = false
            phoneImport = try await app.importPhoneContacts(vcards: vcards)
            await load(app)
        }
    }

    /// Find the books at the typed address and keep them, then sync; a refusal stays on the form.
    func addBook(_ app: App) async {
        await whileBusy {
            _ = try await app.addAddressBook(
                url: url.trimmingCharacters(in: .whitespaces),
                username: username.trimmingCharacters(in: .whitespaces),
                password: password, caFile: nil)
            adding = false
            password = ""
            reports = try await app.syncAddressBooks()
            await load(app)
        }
    }

    func syncNow(_ app: App) async {
        await whileBusy {
            reports = try await app.syncAddressBooks()
            await load(app)
        }
    }

    /// A new PEC to a group's members: the address the core picks for each (its first certified
    /// one).
    func draftTo(group: String, _ app: App) async -> ComposeDraft? {
        do {
            return .to(try await app.expandRecipients(recipients: [group]))
        } catch {
            errorCode = PecKit.errorCode(of: error)
            return nil
        }
    }

    /// Remove a group; its members stay.
    func removeGroup(_ name: String, _ app: App) async {
        await whileBusy {
            try await app.removeGroup(name: name)
            await load(app)
        }
    }

    /// Forget a book: its cards leave this device, the server keeps them.
    func remove(_ bookId: Int64, _ app: App) async {
        await whileBusy {
            try await app.removeAddressBook(bookId: bookId)
            reports.removeAll { $0.book.id == bookId }
            await load(app)
        }
    }

    private func whileBusy(_ work: () async throws -> Void) async {
        guard !busy else { return }
        busy = true
        errorCode = nil
        defer { busy = false }
        do {
            try await work()
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }
}

struct ContactsScreen: View {
    let app: App
    /// Write a new PEC (to an address, to a group): the caller closes this screen and opens
    /// compose.
    let write: (ComposeDraft) -> Void
    @State private var model = ContactsModel()
    /// The contact form open on this card.
    @State private var editing: ContactCard?
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        List {
            if let matches = model.matches {
                if matches.isEmpty { Text("search.nothing").foregroundStyle(.secondary) }
                ForEach(matches, id: \.self) { m in
                    AddressRow(name: m.named ? m.name : nil, about: m.organisation, address: m.address, proof: m.proof, write: writeTo)
                }
            } else {
                if let r = model.phoneImport {
                    Text("contacts.phoneImport \(r.imported) \(r.merged) \(r.skipped)").font(.footnote)
                }
                if model.phoneRefused {
                    Text("contacts.phoneRefused").font(.footnote).foregroundStyle(.secondary)
                }
                BooksSection(app: app, model: model)
                GroupsSection(app: app, model: model, write: write)
                Section("contacts.people") {
                    if model.people?.isEmpty == true { Text("contacts.empty").foregroundStyle(.secondary) }
                    ForEach(model.people ?? [], id: \.key) { person in
                        let last = person == model.people?.last
                        if person.addresses.isEmpty {
                            Text(person.name)
                                .swipeActions(edge: .leading) { editButton(person) }
                                .task { if last { await model.loadMore(app) } }
                        }
                        ForEach(Array(person.addresses.enumerated()), id: \.offset) { index, a in
                            AddressRow(
                                name: index == 0 && person.named ? person.name : nil, about: index == 0 ? about(person) : nil,
                                address: a.address, proof: a.proof, write: writeTo)
                            .swipeActions(edge: .leading) { editButton(person) }
                            .task { if last { await model.loadMore(app) } }
                        }
                    }
                }
            }
            if let code = model.errorCode {
                Text(ErrorText.of(code)).foregroundStyle(.red)
            }
        }
        .searchable(text: $model.query, prompt: Text("contacts.search"))
        .task(id: model.query) { await model.search(app) }
        .task { await model.load(app) }
        .navigationTitle("contacts.title")
        .toolbar {
            ToolbarItem(placement: .cancellationAction) { Button("common.close") { dismiss() } }
            ToolbarItem(placement: .primaryAction) {
                Button("contact.new", systemImage: "person.badge.plus") { editing = ContactsModel.blankCard }
            }
            ToolbarItem(placement: .secondaryAction) {
                Button("contacts.importPhone", systemImage: "person.crop.circle.badge.arrow.forward") {
                    Task { await model.importPhone(app) }
                }
                .disabled(model.busy)
            }
        }
        .navigationDestination(item: $editing) { card in
            ContactEditScreen(app: app, card: card) {
                editing = nil
                Task { await model.load(app) }
            }
        }
    }

    /// Write to one address.
    private func writeTo(_ address: String) {
        write(.to(address))
    }

    /// Opens the contact form: edit a saved contact, save a correspondent as one.
    private func editButton(_ person: PersonRow) -> some View {
        Button(
            person.saved ? LocalizedStringKey("contact.edit") : LocalizedStringKey("contact.saveAs"),
            systemImage: "person.crop.circle.badge.plus"
        ) {
            editing = person.card
        }
    }

    /// A contact's organisation, or how many messages a correspondent exchanged.
    private func about(_ person: PersonRow) -> Text? {
        if let organisation = person.contact?.organisation { return Text(organisation) }
        return person.saved || person.uses == 0 ? nil : Text("contacts.uses \(person.uses)")
    }
}

/// The groups: each one's members; a tap writes a PEC to all of them, a swipe removes it.
private struct GroupsSection: View {
    let app: App
    let model: ContactsModel
    let write: (ComposeDraft) -> Void

    var body: some View {
        if !model.groups.isEmpty {
            Section("contact.groups") {
                ForEach(model.groups, id: \.id) { group in
                    Button {
                        Task { if let draft = await model.draftTo(group: group.name, app) { write(draft) } }
                    } label: {
                        VStack(alignment: .leading) {
                            Text(group.name)
                            Text(group.members.joined(separator: ", ")).font(.caption).foregroundStyle(.secondary)
                        }
                    }
                    .swipeActions {
                        Button("contacts.remove", role: .destructive) {
                            Task { await model.removeGroup(group.name, app) }
                        }
                    }
                }
            }
        }
    }
}

/// The CardDAV books: each with its last sync and the last report, removed by a swipe; the form
/// that adds one; "sync now".
private struct BooksSection: View {
    let app: App
    @Bindable var model: ContactsModel

    var body: some View {
        Section("contacts.books") {
            ForEach(model.books, id: \.id) { book in
                VStack(alignment: .leading) {
                    Text(book.name)
                    if let at = book.lastSync {
                        Text("contacts.synced \(Date(timeIntervalSince1970: TimeInterval(at)).formatted(.dateTime))")
                            .font(.caption).foregroundStyle(.secondary)
                    } else {
                        Text("contacts.neverSynced").font(.caption).foregroundStyle(.secondary)
                    }
                    if let report = model.reports.first(where: { $0.book.id == book.id }) {
                        BookReportText(report: report)
                    }
                }
                .swipeActions {
                    Button("contacts.remove", role: .destructive) { Task { await model.remove(book.id, app) } }
                }
            }
            if model.adding {
                TextField("contacts.bookUrl", text: $model.url)
                    .textContentType(.URL).keyboardType(.URL).textInputAutocapitalization(.never).autocorrectionDisabled()
                TextField("contacts.username", text: $model.username)
                    .textContentType(.username).textInputAutocapitalization(.never).autocorrectionDisabled()
                SecureField("setup.password", text: $model.password)
                HStack {
                    Button("setup.add") { Task { await model.addBook(app) } }.disabled(model.busy)
                    Spacer()
                    Button("common.cancel") { model.adding = false }
                }
            } else {
                Button("contacts.addBook", systemImage: "plus") { model.adding = true }.disabled(model.busy)
            }
            if !model.books.isEmpty {
                Button("contacts.syncNow", systemImage: "arrow.triangle.2.circlepath") { Task { await model.syncNow(app) } }
                    .disabled(model.busy)
            }
        }
    }
}

/// One book's line after "sync now": what changed, or why it could not sync.
private struct BookReportText: View {
    let report: BookSyncReport

    var body: some View {
        Group {
            if let error = report.error {
                Text(ErrorText.of(error.code)).foregroundStyle(.red)
            } else {
                Text("contacts.report \(report.added) \(report.updated) \(report.removed) \(report.uploaded)")
                if report.conflicts > 0 { Text("contacts.conflicts \(report.conflicts)") }
                if !report.skipped.isEmpty { Text("contacts.skipped \(report.skipped.count)") }
            }
        }
        .font(.caption)
    }
}

/// One address: its owner's name (on the first), the proof's mark and words; a tap writes to it.
private struct AddressRow: View {
    let name: String?
    let about: Text?
    let address: String
    let proof: PecProof
    let write: (String) -> Void

    init(name: String?, about: String?, address: String, proof: PecProof, write: @escaping (String) -> Void) {
        self.init(name: name, about: about.map { Text($0) }, address: address, proof: proof, write: write)
    }

    init(name: String?, about: Text?, address: String, proof: PecProof, write: @escaping (String) -> Void) {
        self.name = name
        self.about = about
        self.address = address
        self.proof = proof
        self.write = write
    }

    var body: some View {
        Button { write(address) } label: {
            HStack(alignment: .top) {
                ProofMark(proof: proof)
                VStack(alignment: .leading) {
                    if let name { Text(name).font(.body) }
                    Text(address).font(.subheadline)
                    if let about { about.font(.caption).foregroundStyle(.secondary) }
                    ProofWords(proof: proof)
                }
            }
        }
        .buttonStyle(.plain)
    }
}

/// What the mail proved about an address, in words (nothing when nothing is proved yet).
struct ProofWords: View {
    let proof: PecProof

    var body: some View {
        switch proof {
        case .certified(let at):
            Text("contacts.certified \(Self.date(at))").font(.caption).foregroundStyle(.green)
        case .notPec(let at):
            Text("contacts.notPec \(Self.date(at))").font(.caption).foregroundStyle(.orange)
        case .failed(let at, let reason):
            Text("contacts.failed \(Self.date(at)) \(reason)").font(.caption).foregroundStyle(.red)
        case .unknown:
            EmptyView()
        }
    }

    private static func date(_ at: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(at)).formatted(date: .abbreviated, time: .shortened)
    }
}
