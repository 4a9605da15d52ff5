import PecKit
import SwiftUI

/// One list watched through the facade (`listFeed`): the rows first, then only what a sync, a
/// receipt or an action changed, so the list keeps its place. Ticks, marks, what is a receipt and
/// whether receipts are hidden by default are the core's.
@Observable @MainActor
final class MessageListModel {
    let rows = Live<[ListRow]>([])
    private(set) var counts = ListCounts(total: 0, unread: 0, hasMore: false, hideReceipts: false, emptiable: false)
    private(set) var refreshing = false
    /// The rows chosen (in edit mode) for an action on all of them.
    var chosen = Set<Int64>()
    /// The list's account: what its login may not do, for the actions on the chosen rows.
    private(set) var account: AccountInfo?
    /// The folders the chosen rows may move to (the core's list for the first of them).
    private(set) var moveTargets: [MenuEntry] = []
    /// What emptying this folder would delete for good, while the question is asked.
    var emptying: FolderEmptying?
    @ObservationIgnored private var watch: ListWatch?

    func run(_ app: App, _ list: SidebarModel.Selection) async {
        account = try? await app.account(accountId: list.accountId)
        do {
            let feed = try await app.listFeed(accountId: list.accountId, view: list.view)
            watch = feed.watch
            await rows.fold(feed.updates) { rows, update in
                counts = update.counts
                return rows.applying(update)
            }
        } catch {
            rows.failed(error)
        }
    }

    /// The list's "hide receipts" switch: the core re-reads the list without (or with) them.
    var hideReceipts: Bool {
        get { counts.hideReceipts }
        set {
            counts.hideReceipts = newValue
            watch?.setHideReceipts(hide: newValue)
        }
    }

    func loadMore() {
        watch?.loadMore()
    }

    /// Every unread message of the list read: the whole list, not the rows loaded (the core's).
    func markAllRead(_ app: App, _ list: SidebarModel.Selection) async {
        do {
            _ = try await app.markAllRead(accountId: list.accountId, view: list.view)
        } catch {
            rows.failed(error)
        }
    }

    /// Ask before emptying the list's folder (the trash, the junk): what would go, counted by the core.
    func askToEmpty(_ app: App, _ list: SidebarModel.Selection) async {
        guard case .folder(let id) = list.view else { return }
        do {
            emptying = try await app.emptying(folderId: id)
        } catch {
            rows.failed(error)
        }
    }

    /// The user agreed: the core empties the folder, here now and on the server at the next sync.
    func empty(_ app: App, _ list: SidebarModel.Selection) async {
        emptying = nil
        guard case .folder(let id) = list.view else { return }
        do {
            _ = try await app.emptyFolder(folderId: id)
        } catch {
            rows.failed(error)
        }
    }

    /// The folders the first chosen row may move to; none while nothing is chosen.
    func loadMoveTargets(_ app: App) async {
        guard let first = chosen.first else {
            moveTargets = []
            return
        }
        moveTargets = (try? await app.moveTargets(messageId: first)) ?? []
    }

    /// `action` on every chosen row: the core applies it to all of them or, when one is refused,
    /// to none, and says why. The rows change through the watch.
    func act(_ app: App, _ action: MessageAction) async {
        let ids = Array(chosen)
        guard !ids.isEmpty else { return }
        do {
            try await app.applyAll(messageIds: ids, action: action)
            chosen = []
        } catch {
            rows.failed(error)
        }
    }

    /// Pull to refresh: one sync pass of the account; its changes come through the watch.
    func refresh(_ app: App, accountId: Int64) async {
        refreshing = true
        defer { refreshing = false }
        do {
            _ = try await app.sync(accountId: accountId, bodies: .small, listener: nil)
        } catch {
            rows.failed(error)
        }
    }
}

struct MessageListScreen: View {
    let app: App
    let list: SidebarModel.Selection
    @Binding var message: Int64?
    let showSidebar: () -> Void
    @State private var model = MessageListModel()
    @State private var searching = false
    /// Choosing rows for an action on several ("Select").
    @State private var editMode = EditMode.inactive

    var body: some View {
        List(selection: selection) {
            ForEach(model.rows.value, id: \.id) { row in
                MessageRow(row: row).tag(row.id)
            }
            if model.counts.hasMore {
                ProgressView().onAppear { model.loadMore() }
            }
        }
        .overlay {
            if model.rows.value.isEmpty, !model.counts.hasMore, model.rows.errorCode == nil {
                ContentUnavailableView("list.empty", systemImage: "tray")
            }
        }
        .environment(\.editMode, $editMode)
        .refreshable { await model.refresh(app, accountId: list.accountId) }
        .navigationTitle(list.title)
        .toolbar {
            ToolbarItem(placement: .topBarLeading) {
                Button("list.menu", systemImage: "line.3.horizontal", action: showSidebar)
            }
            ToolbarItemGroup(placement: .primaryAction) {
                Button(editMode.isEditing ? "list.done" : "list.select") {
                    model.chosen = []
                    editMode = editMode.isEditing ? .inactive : .active
                }
                Button("list.search", systemImage: "magnifyingglass") { searching = true }
                Toggle("list.hideReceipts", isOn: $model.hideReceipts)
                Button("list.markAllRead", systemImage: "envelope.open") {
                    Task { await model.markAllRead(app, list) }
                }
                .disabled(model.counts.unread == 0 || model.account?.refusal(.markSeen) != nil)
                if model.counts.emptiable {
                    Button("list.emptyFolder", systemImage: "trash.slash") {
                        Task { await model.askToEmpty(app, list) }
                    }
                    .disabled(model.account?.refusal(needs: emptyFolderNeeds()) != nil)
                }
            }
            ToolbarItemGroup(placement: .bottomBar) {
                if editMode.isEditing {
                    Text("list.chosen \(model.chosen.count)").font(.footnote)
                    Spacer()
                    chosenAction("list.markRead", "envelope.open", .markSeen)
                    chosenAction("list.markUnread", "envelope.badge", .markUnseen)
                    chosenAction("message.delete", "trash", .delete)
                    Menu {
                        ForEach(model.moveTargets, id: \.path) { target in
                            if case .folder(let id) = target.view {
                                Button(target.name) { Task { await model.act(app, .moveTo(folderId: id)) } }
                            }
                        }
                    } label: {
                        Image(systemName: "folder")
                    }
                    .disabled(
                        model.chosen.isEmpty || model.moveTargets.isEmpty
                            || model.account?.refusal(.moveTo(folderId: 0)) != nil)
                }
            }
            ToolbarItem(placement: .status) {
                if let code = model.rows.errorCode {
                    Text(ErrorText.of(code)).foregroundStyle(.red).font(.footnote)
                } else {
                    Text("list.counts \(model.counts.total) \(model.counts.unread)").font(.footnote)
                }
            }
        }
        .confirmationDialog(
            "list.emptyFolderTitle", isPresented: asking, titleVisibility: .visible, presenting: model.emptying
        ) { _ in
            Button("list.deleteForGood", role: .destructive) { Task { await model.empty(app, list) } }
        } message: { e in
            emptyingText(e)
        }
        .sheet(isPresented: $searching) {
            NavigationStack {
                SearchScreen(app: app, accountId: list.accountId, folderId: folderId, open: { message = $0; searching = false })
            }
        }
        .task { await model.run(app, list) }
        .task(id: model.chosen.first) { await model.loadMoveTargets(app) }
    }

    /// Outside edit mode the list's selection is the open message; in it, the chosen rows.
    private var selection: Binding<Set<Int64>> {
        Binding(
            get: { editMode.isEditing ? model.chosen : Set([message].compactMap { $0 }) },
            set: { rows in
                if editMode.isEditing { model.chosen = rows } else { message = rows.first }
            })
    }

    /// The question before emptying is on screen while the model holds what would go.
    private var asking: Binding<Bool> {
        Binding(get: { model.emptying != nil }, set: { if !$0 { model.emptying = nil } })
    }

    /// What goes for good: how many messages and, when there are, the PEC and receipts among them.
    private func emptyingText(_ e: FolderEmptying) -> Text {
        let all = Text("list.emptyQuestion \(e.messages)")
        guard e.certified > 0 || e.receipts > 0 else { return all }
        return all + Text(verbatim: " ") + Text("list.emptyProofs \(e.certified) \(e.receipts)")
    }

    /// An action on the chosen rows, disabled when this login may not take it.
    private func chosenAction(_ title: LocalizedStringKey, _ image: String, _ action: MessageAction) -> some View {
        Button(title, systemImage: image) { Task { await model.act(app, action) } }
            .disabled(model.chosen.isEmpty || model.account?.refusal(action) != nil)
    }

    private var folderId: Int64? {
        if case .folder(let id) = list.view { return id }
        return nil
    }
}

/// One row: sender (the real one for a certified message), subject, preview, date, and the
/// core's marks: ✓ accepted, ✓✓ delivered, ⚠ a warning, ✗ a failure.
struct MessageRow: View {
    let row: ListRow

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            HStack {
                Text(row.to ?? row.sender)
                    .font(row.seen ? .body : .body.bold())
                    .lineLimit(1)
                Spacer()
                DeliveryMarkView(mark: row.delivery, ticks: row.ticks)
                Text(Date(timeIntervalSince1970: TimeInterval(row.date)), format: .relative(presentation: .named))
                    .font(.caption)
                    .foregroundStyle(.secondary)
            }
            HStack(spacing: 4) {
                if row.kind == .certified || row.kind == .rem {
                    Image(systemName: "checkmark.seal.fill").foregroundStyle(.tint)
                }
                if row.invoice { Image(systemName: "doc.text") }
                if row.attachments { Image(systemName: "paperclip") }
                if row.flagged { Image(systemName: "flag.fill").foregroundStyle(.orange) }
                Text(row.subject).lineLimit(1)
            }
            .font(.subheadline)
            if let preview = row.preview {
                Text(preview).font(.caption).foregroundStyle(.secondary).lineLimit(2)
            }
        }
        .accessibilityElement(children: .combine)
    }
}

/// The core's mark for a sent PEC.
struct DeliveryMarkView: View {
    let mark: DeliveryMark?
    let ticks: UInt8?

    var body: some View {
        switch mark {
        case .warning: Image(systemName: "exclamationmark.triangle.fill").foregroundStyle(.orange)
        case .failed: Image(systemName: "xmark.circle.fill").foregroundStyle(.red)
        default:
            if let ticks, ticks > 0 {
                Text(verbatim: ticks >= 2 ? "✓✓" : "✓")
                    .font(.caption.bold())
                    .foregroundStyle(ticks >= 2 ? Color.green : Color.secondary)
                    .accessibilityLabel(ticks >= 2 ? Text("mark.delivered") : Text("mark.accepted"))
            }
        }
    }
}
