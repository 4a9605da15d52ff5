import PecKit
import PhotosUI
import SwiftUI
import UniformTypeIdentifiers

/// The draft as typed and the core's check of it. Every change asks the core to check the whole
/// draft (recipients certified or not, blocked files, size × recipients against the provider's
/// limit) and to keep it, so the lock or the system closing the app does not lose it (the next
/// start opens it again); sending queues the PEC in the outbox (never lost), forgetting the kept
/// copy in the same step, and submits it. There is no Bcc field: PEC has none.
@Observable @MainActor
final class ComposeModel {
    var to: [String]
    var cc: [String]
    var subject: String
    var text: String
    var attachments: [OutgoingAttachment]
    var receipt: RequestedReceipt
    var priority: MessagePriority
    private let inReplyTo: String?
    private let references: [String]
    private(set) var check: DraftCheck?
    private(set) var sending = false
    private(set) var sent: SendResult?
    private(set) var draftSaved = false
    private(set) var errorCode: String?
    /// The compose the core keeps for this screen (nil until the first keep).
    @ObservationIgnored private var kept: Int64?
    /// Sent or left: nothing more is kept.
    @ObservationIgnored private var closed = false
    /// The keep under way: each waits for the one before, so the first one's id reaches the next.
    @ObservationIgnored private var keeping: Task<Void, Never>?
    /// What the screen opened with: not kept until it changes.
    @ObservationIgnored private var initial: ComposeDraft?
    /// A kept compose opens as it was kept, without asking the core for its start.
    private let reopened: Bool

    init(start: ComposeDraft?, kept: Int64? = nil) {
        self.kept = kept
        reopened = kept != nil
        to = start?.to ?? []
        cc = start?.cc ?? []
        subject = start?.subject ?? ""
        text = start?.text ?? ""
        attachments = start?.attachments ?? []
        receipt = start?.receipt ?? .completa
        priority = start?.priority ?? .normal
        inReplyTo = start?.inReplyTo
        references = start?.references ?? []
        initial = draft
    }

    /// The core found nothing that stops the sending.
    var sendable: Bool { check?.problems.isEmpty == true && !sending && sent == nil }

    var draft: ComposeDraft {
        ComposeDraft(
            to: to, cc: cc, subject: subject, text: text, attachments: attachments, receipt: receipt,
            inReplyTo: inReplyTo, bcc: [], html: nil, priority: priority, signature: nil, references: references)
    }

    /// The text the core opens this compose with (the account's signature under the place to
    /// write, when the text is empty), unless the user typed first; not kept until it changes.
    func open(_ app: App, accountId: Int64) async {
        guard !reopened else { return }
        do {
            let opened = try await app.composeStart(accountId: accountId, start: draft)
            if text.isEmpty {
                text = opened.text
                initial = draft
            }
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// Check the draft as it is now (the view calls it a moment after each change).
    func recheck(_ app: App, accountId: Int64) async {
        let asked = draft
        do {
            let result = try await app.checkDraft(accountId: accountId, draft: asked)
            if asked == draft { check = result }
        } catch is CancellationError {
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
        draftSaved = false
    }

    /// Hand the draft to the core (the view calls it a moment after each change).
    func keep(_ app: App, accountId: Int64) {
        let draft = self.draft
        if kept == nil && draft == initial { return }
        let previous = keeping
        keeping = Task {
            await previous?.value
            guard !closed else { return }
            do {
                kept = try await app.keepCompose(accountId: accountId, kept: kept, draft: draft)
            } catch {
                errorCode = PecKit.errorCode(of: error)
            }
        }
    }

    /// The user closed the screen without sending: the core forgets the kept copy.
    func leave(_ app: App) {
        guard !closed else { return }
        closed = true
        let previous = keeping
        Task {
            await previous?.value
            if let kept { try? await app.forgetCompose(kept: kept) }
        }
    }

    func send(_ app: App, accountId: Int64) async {
        guard sendable else { return }
        sending = true
        defer { sending = false }
        // No keep after this one: the core forgets the kept copy as it queues the PEC.
        closed = true
        await keeping?.value
        do {
            sent = try await app.send(accountId: accountId, draft: draft, kept: kept)
            errorCode = nil
        } catch {
            closed = false
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// A template opened here: its recipients, subject, text, receipt type and priority replace
    /// what was written; attachments stay.
    func use(_ d: ComposeDraft) {
        to = d.to
        cc = d.cc
        subject = d.subject
        text = d.text
        receipt = d.receipt ?? .completa
        priority = d.priority ?? .normal
    }

    /// Save in the Drafts folder on the server (the webmail finds it there too).
    func saveDraft(_ app: App, accountId: Int64) async {
        do {
            try await app.saveDraft(accountId: accountId, draft: draft)
            draftSaved = true
            errorCode = nil
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    func attach(_ work: () async throws -> OutgoingAttachment) async {
        do { attachments.append(try await work()) } catch { errorCode = PecKit.errorCode(of: error) }
    }
}

struct ComposeScreen: View {
    let app: App
    let accountId: Int64
    @State private var model: ComposeModel
    @State private var templates = TemplatesModel()
    @State private var importing = false
    @State private var photo: PhotosPickerItem?
    @Environment(\.dismiss) private var dismiss

    /// `kept`: the compose the core kept (the lock or the system closed the app), opened again.
    init(app: App, accountId: Int64, start: ComposeDraft?, kept: Int64? = nil) {
        self.app = app
        self.accountId = accountId
        _model = State(initialValue: ComposeModel(start: start, kept: kept))
    }

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    Recipients(app: app, title: "compose.to", addresses: $model.to, check: model.check)
                    Recipients(app: app, title: "compose.cc", addresses: $model.cc, check: model.check)
                    TextField("compose.subject", text: $model.subject)
                }
                Section {
                    TextEditor(text: $model.text).frame(minHeight: 160)
                }
                Section("compose.attachments") {
                    ForEach(Array(model.attachments.enumerated()), id: \.offset) { _, a in
                        Label(a.fileName, systemImage: "paperclip")
                    }
                    .onDelete { model.attachments.remove(atOffsets: $0) }
                    Button("compose.attachFile", systemImage: "doc.badge.plus") { importing = true }
                    PhotosPicker(selection: $photo, matching: .images) {
                        Label("compose.attachPhoto", systemImage: "photo")
                    }
                    if let check = model.check {
                        SizeBar(check: check)
                    }
                }
                Section {
                    Picker("compose.receipt", selection: $model.receipt) {
                        Text("receipt.completa").tag(RequestedReceipt.completa)
                        Text("receipt.breve").tag(RequestedReceipt.breve)
                        Text("receipt.sintetica").tag(RequestedReceipt.sintetica)
                    }
                    Picker("compose.priority", selection: $model.priority) {
                        Text("priority.high").tag(MessagePriority.high)
                        Text("priority.normal").tag(MessagePriority.normal)
                        Text("priority.low").tag(MessagePriority.low)
                    }
                }
                Problems(check: model.check, errorCode: model.errorCode, sent: model.sent, draftSaved: model.draftSaved)
                if templates.saved {
                    Label("compose.templateSaved", systemImage: "checkmark")
                }
                if let code = templates.errorCode {
                    Text(ErrorText.of(code)).foregroundStyle(.red)
                }
            }
            .navigationTitle("compose.title")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("common.close") {
                        model.leave(app)
                        dismiss()
                    }
                }
                ToolbarItem(placement: .secondaryAction) {
                    Button("compose.saveDraft") { Task { await model.saveDraft(app, accountId: accountId) } }
                }
                ToolbarItem(placement: .secondaryAction) {
                    TemplatesMenu(app: app, accountId: accountId, compose: model, model: templates)
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("compose.send") { Task { await model.send(app, accountId: accountId) } }
                        .disabled(!model.sendable)
                }
            }
            .alert("compose.templateName", isPresented: $templates.naming) {
                TextField("compose.templateName", text: $templates.name)
                Button("compose.saveTemplate") { Task { await templates.save(from: model, app) } }
                Button("common.cancel", role: .cancel) {}
            }
            .fileImporter(isPresented: $importing, allowedContentTypes: [.item], allowsMultipleSelection: true) { result in
                guard case .success(let urls) = result else { return }
                Task { for url in urls { await model.attach { try await Staging.stage(url, in: app) } } }
            }
            .onChange(of: photo) { _, item in
                guard let item else { return }
                Task {
                    await model.attach {
                        let data = try await item.loadTransferable(type: Data.self) ?? Data()
                        let ext = item.supportedContentTypes.first?.preferredFilenameExtension ?? "jpg"
                        return try await Staging.stage(data, named: "photo.\(ext)", in: app)
                    }
                    photo = nil
                }
            }
            .task { await model.open(app, accountId: accountId) }
            .task(id: model.draft) {
                // A moment after the last keystroke; a newer change cancels this one.
                do { try await Task.sleep(for: .milliseconds(250)) } catch { return }
                model.keep(app, accountId: accountId)
                await model.recheck(app, accountId: accountId)
            }
        }
        // Only "Close" leaves: a swipe would drop what is typed without a word.
        .interactiveDismissDisabled()
    }
}
