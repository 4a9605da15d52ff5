import PecKit
import SwiftUI

/// The accounts and the selected account's menu as the core orders it: folders with their depth,
/// the virtual *Fatture ricevute* and *Ricevute*, labels, unread counts kept live, the quota.
@Observable @MainActor
final class SidebarModel {
    /// What the list column shows.
    struct Selection: Hashable {
        let accountId: Int64
        let view: ViewRef
        let title: String
    }

    let accounts = Live<[AccountInfo]>([])
    let menu = Live<[MenuEntry]>([])
    var account: Int64?
    private(set) var loaded = false

    /// The accounts were read and there are none: the setup is shown.
    var noAccounts: Bool { loaded && accounts.value.isEmpty }

    var selectedAccount: AccountInfo? {
        accounts.value.first { $0.id == account } ?? accounts.value.first
    }

    /// The accounts now and again at every change of them.
    func run(_ app: App) async {
        await load(app)
        for await change in app.changes() where change.kind == .accounts {
            await load(app)
        }
    }

    private func load(_ app: App) async {
        await accounts.load { try await app.accounts() }
        loaded = true
        if account == nil || !accounts.value.contains(where: { $0.id == account }) {
            account = accounts.value.first?.id
        }
    }
}

struct SidebarScreen: View {
    let app: App
    let model: SidebarModel
    @Binding var selection: SidebarModel.Selection?
    /// Write a new PEC (an address touched in the address book).
    let compose: (ComposeDraft) -> Void
    @State private var settings = false
    @State private var contacts = false
    /// The address touched in the address book, written to once its sheet is gone.
    /// The PEC the address book asked to write, opened once its sheet is gone.
    @State private var writeTo: ComposeDraft?
    @State private var adding = false

    var body: some View {
        List(selection: $selection) {
            if model.accounts.value.count > 1 {
                Section("sidebar.accounts") {
                    ForEach(model.accounts.value, id: \.id) { account in
                        Button {
                            model.account = account.id
                        } label: {
                            Label(account.displayName ?? account.address, systemImage: account.id == model.selectedAccount?.id ? "checkmark.circle.fill" : "person.crop.circle")
                        }
                    }
                }
            }
            if let account = model.selectedAccount {
                Section(account.address) {
                    // By view: the virtual folders and the labels have no path.
                    ForEach(model.menu.value, id: \.view) { entry in
                        MenuRow(entry: entry)
                            .tag(SidebarModel.Selection(accountId: account.id, view: entry.view, title: MenuRow.title(entry)))
                    }
                }
                AccountFooter(account: account)
            }
            if let code = model.menu.errorCode ?? model.accounts.errorCode {
                Text(ErrorText.of(code)).foregroundStyle(.red)
            }
        }
        .navigationTitle("app.name")
        .toolbar {
            ToolbarItem(placement: .primaryAction) {
                Menu {
                    Button("sidebar.contacts", systemImage: "person.crop.rectangle.stack") { contacts = true }
                    Button("sidebar.addAccount", systemImage: "plus") { adding = true }
                    Button("sidebar.settings", systemImage: "gear") { settings = true }
                } label: {
                    Image(systemName: "ellipsis.circle")
                }
            }
        }
        .sheet(isPresented: $settings) { NavigationStack { SettingsScreen(app: app) } }
        .sheet(isPresented: $contacts, onDismiss: {
            if let draft = writeTo {
                writeTo = nil
                compose(draft)
            }
        }) {
            NavigationStack {
                ContactsScreen(app: app) { draft in
                    writeTo = draft
                    contacts = false
                }
            }
        }
        .sheet(isPresented: $adding) { NavigationStack { AccountSetupScreen(app: app) } }
        .task { await model.run(app) }
        .task(id: model.selectedAccount?.id) {
            guard let id = model.selectedAccount?.id else { return }
            await model.menu.follow(app.folderMenuStream(accountId: id))
        }
        .onChange(of: model.menu.value) { _, entries in
            guard selection == nil, let account = model.selectedAccount,
                  let inbox = entries.first(where: { $0.view == .inbox }) ?? entries.first else { return }
            selection = .init(accountId: account.id, view: inbox.view, title: MenuRow.title(inbox))
        }
    }
}

/// One entry of the core's menu: its name at its depth and its unread count.
struct MenuRow: View {
    let entry: MenuEntry

    var body: some View {
        HStack {
            Label(Self.title(entry), systemImage: icon)
                .padding(.leading, CGFloat(entry.depth) * 14)
            Spacer()
            if entry.unread > 0 {
                Text(entry.unread, format: .number)
                    .font(.caption.bold())
                    .foregroundStyle(.secondary)
            }
        }
    }

    /// The name a menu line shows: the virtual folders' in the user's language (the core leaves
    /// their name empty), a label's as written, else the folder's.
    static func title(_ entry: MenuEntry) -> String {
        switch entry.view {
        case .invoices: return String(localized: "sidebar.invoices")
        case .receipts: return String(localized: "sidebar.receipts")
        case .undelivered: return String(localized: "sidebar.undelivered")
        case .label(let name): return name
        default: return entry.name
        }
    }

    private var icon: String {
        switch entry.view {
        case .inbox: return "tray"
        case .sent: return "paperplane"
        case .invoices: return "doc.text"
        case .receipts: return "checkmark.seal"
        case .undelivered: return "exclamationmark.triangle"
        case .all: return "tray.2"
        case .label: return "tag"
        case .folder:
            switch entry.kind {
            case .drafts: return "doc"
            case .trash: return "trash"
            case .junk: return "xmark.bin"
            case .archive: return "archivebox"
            case .outbox: return "tray.and.arrow.up"
            default: return "folder"
            }
        }
    }
}

/// The quota the server reported (with the core's warning when the box is nearly full or full),
/// and for a delegate what the owner allowed.
struct AccountFooter: View {
    let account: AccountInfo

    var body: some View {
        Section {
            if let used = account.quotaUsedKb, let limit = account.quotaLimitKb, limit > 0 {
                ProgressView(value: Double(used), total: Double(limit)) {
                    Text("sidebar.quota")
                } currentValueLabel: {
                    Text(verbatim: "\(Self.size(used)) / \(Self.size(limit))")
                }
            }
            switch account.quota {
            case .nearlyFull:
                Label("sidebar.quotaNearlyFull", systemImage: "exclamationmark.triangle.fill").foregroundStyle(.orange)
            case .full:
                Label("sidebar.quotaFull", systemImage: "xmark.octagon.fill").foregroundStyle(.red)
            case .room, .unknown:
                EmptyView()
            }
            if account.delegated {
                NavigationLink {
                    PermissionsScreen(account: account)
                } label: {
                    Label("sidebar.permissions", systemImage: "person.badge.key")
                }
            }
        }
    }

    private static func size(_ kb: UInt64) -> String {
        ByteCountFormatter.string(fromByteCount: Int64(kb) * 1024, countStyle: .file)
    }
}
