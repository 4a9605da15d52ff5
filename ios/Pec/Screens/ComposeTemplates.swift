import PecKit
import SwiftUI

/// Templates ("modelli") in compose: open one (the core gives its recipients, subject and text
/// with the account's signature), save what is written as one, remove one. What a template keeps
/// and leaves out (attachments, the signature) is the core's.
@Observable @MainActor
final class TemplatesModel {
    private(set) var templates: [ComposeTemplate] = []
    private(set) var saved = false
    private(set) var errorCode: String?
    /// The name being asked for the template being saved.
    var naming = false
    var name = ""

    func load(_ app: App) async {
        do {
            templates = try await app.templates()
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    func use(_ template: ComposeTemplate, in compose: ComposeModel, _ app: App, accountId: Int64) async {
        do {
            let draft = try await app.composeFromTemplate(accountId: accountId, templateId: template.id)
            compose.use(draft)
            errorCode = nil
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    func save(from compose: ComposeModel, _ app: App) async {
        do {
            _ = try await app.saveTemplate(name: name, draft: compose.draft)
            saved = true
            name = ""
            errorCode = nil
            await load(app)
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    func forget(_ template: ComposeTemplate, _ app: App) async {
        do {
            try await app.forgetTemplate(templateId: template.id)
            await load(app)
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }
}

/// The compose toolbar's menu of templates: open one, save what is written as one, remove one.
struct TemplatesMenu: View {
    let app: App
    let accountId: Int64
    let compose: ComposeModel
    let model: TemplatesModel

    var body: some View {
        Menu("compose.templates", systemImage: "doc.on.doc") {
            ForEach(model.templates, id: \.id) { template in
                Button(template.name) {
                    Task { await model.use(template, in: compose, app, accountId: accountId) }
                }
            }
            Divider()
            Button("compose.saveAsTemplate", systemImage: "square.and.arrow.down") { model.naming = true }
            if !model.templates.isEmpty {
                Menu("compose.removeTemplate", systemImage: "trash") {
                    ForEach(model.templates, id: \.id) { template in
                        Button(template.name, role: .destructive) { Task { await model.forget(template, app) } }
                    }
                }
            }
        }
        .task { await model.load(app) }
    }
}
