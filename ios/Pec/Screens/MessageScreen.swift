import PecKit
import QuickLook
import SwiftUI

/// One message from the facade. A header-only message is downloaded first, since only its body
/// lets the core check what is certified; the view is read again at every change of its account
/// (a receipt moves the recipients' timeline).
@Observable @MainActor
final class MessageModel {
    let view = Live<MessageView?>(nil)
    private(set) var account: AccountInfo?
    private(set) var moveTargets: [MenuEntry] = []
    private(set) var downloading = false
    /// Attachments saved or being saved, by IMAP section: bytes so far, total, the file once written.
    private(set) var files: [String: (done: UInt64, total: UInt64, url: URL?)] = [:]
    private(set) var evidence: [URL] = []

    func run(_ app: App, _ id: Int64) async {
        await load(app, id)
        if view.value?.downloaded == false {
            downloading = true
            do { try await app.download(messageId: id) } catch { view.failed(error) }
            downloading = false
            await load(app, id)
        }
        let accountId = view.value?.row.accountId
        for await change in app.changes() where change.accountId == nil || change.accountId == accountId {
            await load(app, id)
        }
    }

    private func load(_ app: App, _ id: Int64) async {
        await view.load { try await app.message(messageId: id) }
        guard let row = view.value?.row else { return }
        if account == nil { account = try? await app.account(accountId: row.accountId) }
        moveTargets = (try? await app.moveTargets(messageId: id)) ?? []
    }

    /// Why this login may not take `action` (the core's reason), or nil when it may.
    func refusal(_ action: MessageAction) -> DeniedAction? {
        account?.refusal(action)
    }

    /// Why this login may not reply or forward (the core's rule: only when it may neither send
    /// nor save a draft), or nil when it may.
    func replyRefusal() -> DeniedAction? {
        account.flatMap { composeRefusal(denied: $0.denied) }
    }

    func apply(_ app: App, _ id: Int64, _ action: MessageAction) async {
        do { try await app.apply(messageId: id, action: action) } catch { view.failed(error) }
        await load(app, id)
    }

    /// Save one attachment into the handed-out folder (only that part is downloaded), with its
    /// progress; Quick Look and the share sheet take the file from there.
    func save(_ app: App, _ id: Int64, _ attachment: AttachmentInfo) async {
        guard let section = attachment.section else { return }
        files[section] = (0, attachment.size, nil)
        let progress = ProgressRelay { [weak self] done, total in
            Task { @MainActor in self?.files[section] = (done, total, nil) }
        }
        do {
            let dir = try HandedOut.folder("attachments-\(id)", fresh: false)
            let saved = try await app.saveAttachment(messageId: id, section: section, dir: dir.path, listener: progress)
            if let path = saved.path {
                files[section] = (saved.size, saved.size, URL(filePath: path))
            } else {
                files[section] = nil
                view.failed(PecError.Unreadable(detail: saved.error?.detail ?? ""))
            }
        } catch {
            files[section] = nil
            view.failed(error)
        }
    }

    /// The message's evidence (as received, its daticert, its receipts, SHA256SUMS) as files.
    func exportEvidence(_ app: App, _ id: Int64) async {
        do {
            let dir = try HandedOut.folder("evidence-\(id)", fresh: true)
            evidence = try await app.exportEvidence(messageId: id, dir: dir.path).map { URL(filePath: $0.path) }
        } catch {
            view.failed(error)
        }
    }
}

/// The core's download progress, handed to the main actor.
final class ProgressRelay: DownloadListener, @unchecked Sendable {
    private let report: @Sendable (UInt64, UInt64) -> Void
    init(_ report: @escaping @Sendable (UInt64, UInt64) -> Void) { self.report = report }
    func onProgress(progress: DownloadProgress) { report(progress.done, progress.total) }
}

struct MessageScreen: View {
    let app: App
    let messageId: Int64
    /// Opens compose with a draft the core prepared (reply, forward, a saved draft).
    let compose: (ComposeDraft) -> Void
    @State private var model = MessageModel()
    @State private var preview: URL?
    @State private var invoice = false

    var body: some View {
        ScrollView {
            if let view = model.view.value {
                VStack(alignment: .leading, spacing: 12) {
                    Header(row: view.row)
                    CertifiedBanner(view: view)
                    if !view.recipients.isEmpty {
                        Timeline(recipients: view.recipients)
                    }
                    if view.row.invoice {
                        Button("message.openInvoice", systemImage: "doc.text") { invoice = true }
                    }
                    Attachments(model: model, view: view, save: { a in Task { await model.save(app, messageId, a) } }, open: { preview = $0 })
                    MessageText(view: view, downloading: model.downloading)
                    if !model.evidence.isEmpty {
                        ShareLink(items: model.evidence) { Label("message.shareEvidence", systemImage: "square.and.arrow.up") }
                    }
                }
                .padding()
            } else if model.view.errorCode == nil {
                ProgressView().padding()
            }
            if let code = model.view.errorCode {
                Text(ErrorText.of(code)).foregroundStyle(.red).padding()
            }
        }
        .toolbar { actions }
        .quickLookPreview($preview)
        .sheet(isPresented: $invoice) { NavigationStack { InvoiceScreen(app: app, messageId: messageId) } }
        .task { await model.run(app, messageId) }
    }

    @ToolbarContentBuilder
    private var actions: some ToolbarContent {
        ToolbarItemGroup(placement: .primaryAction) {
            Menu {
                Button("message.reply", systemImage: "arrowshape.turn.up.left") { prepare { try await app.replyDraft(messageId: messageId, all: false) } }
                Button("message.replyAll", systemImage: "arrowshape.turn.up.left.2") { prepare { try await app.replyDraft(messageId: messageId, all: true) } }
                Button("message.forward", systemImage: "arrowshape.turn.up.right") { prepare { try await app.forwardDraft(messageId: messageId) } }
                if model.view.value?.row.draft == true {
                    Button("message.resumeDraft", systemImage: "pencil") { prepare { try await app.resumeDraft(messageId: messageId) } }
                }
            } label: {
                Image(systemName: "arrowshape.turn.up.left")
            }
            .disabled(model.replyRefusal() != nil)
            Menu {
                ForEach(model.moveTargets, id: \.path) { target in
                    if case .folder(let id) = target.view {
                        Button(target.name) { act(.moveTo(folderId: id)) }
                    }
                }
            } label: {
                Image(systemName: "folder")
            }
            .disabled(model.refusal(.moveTo(folderId: 0)) != nil || model.moveTargets.isEmpty)
            Button("message.flag", systemImage: model.view.value?.row.flagged == true ? "flag.slash" : "flag") {
                act(model.view.value?.row.flagged == true ? .unflag : .flag)
            }
            .disabled(model.refusal(.flag) != nil)
            Button("message.delete", systemImage: "trash", role: .destructive) { act(.delete) }
                .disabled(model.refusal(.delete) != nil)
            Button("message.evidence", systemImage: "checkmark.seal") {
                Task { await model.exportEvidence(app, messageId) }
            }
        }
    }

    private func act(_ action: MessageAction) {
        Task { await model.apply(app, messageId, action) }
    }

    private func prepare(_ make: @escaping @MainActor () async throws -> ComposeDraft) {
        Task {
            do { compose(try await make()) } catch { model.view.failed(error) }
        }
    }
}

extension AccountInfo {
    /// Why this login may not take `action` (the core's reason, from `denied`), or nil when it
    /// may.
    func refusal(_ action: MessageAction) -> DeniedAction? {
        refusal(needs: actionNeeds(action: action))
    }

    /// Why this login may not do what `needs` (the core's answer for an action), or nil.
    func refusal(needs: AccountAction) -> DeniedAction? {
        denied.first { $0.action == needs }
    }
}
