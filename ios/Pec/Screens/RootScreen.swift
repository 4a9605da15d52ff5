import PecKit
import SwiftUI

/// The lock, the key-lost notice, or the app: on iPad the sidebar, the list and the message side
/// by side; on iPhone the same sidebar opens from the ☰ button over the list, as in the Aruba app.
struct RootScreen: View {
    let model: AppModel

    var body: some View {
        Group {
            switch model.phase {
            case .locked:
                LockScreen(model: model)
            case .keyLost:
                KeyLostScreen(model: model)
            case .open(let app):
                MailScreen(app: app, model: model)
            }
        }
        .onAppear { Session.current = model }
    }
}

/// The mailbox: accounts and folders, one list, one message.
struct MailScreen: View {
    let app: App
    @Bindable var model: AppModel
    @State private var sidebar = SidebarModel()
    @State private var selection: SidebarModel.Selection?
    @State private var message: Int64?
    @State private var columns = NavigationSplitViewVisibility.automatic
    @State private var composing: ComposeRequest?
    /// While the app is active and unlocked, the core keeps every account current (IDLE).
    @State private var live: LiveSync?
    @Environment(\.horizontalSizeClass) private var sizeClass
    @Environment(\.scenePhase) private var scene

    var body: some View {
        NavigationSplitView(columnVisibility: $columns) {
            SidebarScreen(app: app, model: sidebar, selection: $selection, compose: { composing = ComposeRequest(draft: $0) })
        } content: {
            if let selection {
                MessageListScreen(app: app, list: selection, message: $message, showSidebar: showSidebar)
                    .id(selection)
            } else if sidebar.noAccounts {
                AccountSetupScreen(app: app)
            } else {
                ProgressView()
            }
        } detail: {
            if let message {
                MessageScreen(app: app, messageId: message, compose: { composing = ComposeRequest(draft: $0) })
                    .id(message)
            } else {
                ContentUnavailableView("message.none", systemImage: "envelope.open")
            }
        }
        .sheet(item: $composing) { request in
            ComposeScreen(
                app: app, accountId: request.accountId ?? selection?.accountId ?? sidebar.accounts.first?.id ?? 0,
                start: request.draft, kept: request.kept)
        }
        .onChange(of: model.shared.count) { _, count in
            guard count > 0 else { return }
            composing = ComposeRequest(draft: ComposeDraft.with(attachments: model.shared))
            model.shared = []
        }
        .task { await Notifications.requestPermission() }
        .task {
            // The lock or the system closed the app while a PEC was being written: it opens
            // again as it was.
            guard composing == nil, let kept = try? await app.keptComposes().first else { return }
            composing = ComposeRequest(accountId: kept.accountId, draft: kept.draft, kept: kept.id)
        }
        .onChange(of: scene, initial: true) { _, phase in
            // Inactive (the app switcher, a system sheet) is not leaving: the sync goes on.
            if phase == .active { keepInSync(true) } else if phase == .background { keepInSync(false) }
        }
        .onDisappear { keepInSync(false) }
    }

    /// Start the core's foreground sync when the app becomes active, stop it when it leaves.
    private func keepInSync(_ on: Bool) {
        if on, live == nil {
            live = try? app.startLiveSync()
        } else if !on {
            live?.stop()
            live = nil
        }
    }

    /// The ☰ button: on iPhone back to the sidebar, on iPad the sidebar beside the list.
    private func showSidebar() {
        if sizeClass == .compact {
            selection = nil
        } else {
            columns = .all
        }
    }
}

/// A compose sheet to show: the draft it starts from (blank, a reply, a forward, shared files),
/// the account to write from when it is not the one selected, and the core's kept compose it
/// opens again.
struct ComposeRequest: Identifiable {
    let id = UUID()
    var accountId: Int64?
    var draft: ComposeDraft?
    var kept: Int64?
}

extension ComposeDraft {
    /// A new PEC carrying these attachments (documents given to the app).
    static func with(attachments: [OutgoingAttachment]) -> ComposeDraft {
        ComposeDraft(
            to: [], cc: [], subject: "", text: "", attachments: attachments, receipt: nil,
            inReplyTo: nil, bcc: [], html: nil, priority: nil, signature: nil, references: [])
    }

    /// A new PEC to one address (touched in the address book).
    static func to(_ address: String) -> ComposeDraft {
        .to([address])
    }

    /// A new PEC to these addresses (a group's members).
    static func to(_ addresses: [String]) -> ComposeDraft {
        ComposeDraft(
            to: addresses, cc: [], subject: "", text: "", attachments: [], receipt: nil,
            inReplyTo: nil, bcc: [], html: nil, priority: nil, signature: nil, references: [])
    }
}
