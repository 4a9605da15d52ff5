import PecKit
import SwiftUI
import WebKit

/// An invoice (or an SdI notification) carried by a message, rendered by the core in either
/// style, with what the SdI said about it; shared as the original file or as a PDF of the page,
/// or printed.
@Observable @MainActor
final class InvoiceModel {
    var style: InvoiceStyle = .compact
    let view = Live<InvoiceView?>(nil)
    let notices = Live<[SdiNotice]>([])
    private(set) var original: URL?
    private(set) var pdf: URL?

    func render(_ app: App, _ id: Int64) async {
        let style = style
        await view.load { try await app.invoiceHtml(messageId: id, style: style) }
    }

    /// The SdI's messages about this invoice, again whenever the store changes.
    func followNotices(_ app: App, _ id: Int64) async {
        await notices.load { try await app.invoiceNotices(messageId: id) }
        for await _ in app.changes() {
            await notices.load { try await app.invoiceNotices(messageId: id) }
        }
    }

    /// The invoice file exactly as received (`.xml` or `.xml.p7m`), written for the share sheet.
    func prepareOriginal(_ app: App, _ id: Int64) async {
        do {
            let file = try await app.invoiceOriginal(messageId: id)
            let url = try HandedOut.folder("invoice-\(id)", fresh: true).appending(path: file.fileName)
            try file.data.write(to: url, options: [.atomic, .completeFileProtection])
            original = url
        } catch {
            view.failed(error)
        }
    }

    /// A PDF made for another style is stale.
    func forgetPDF() {
        pdf = nil
    }

    func preparePDF(from web: WKWebView) async {
        let name = view.value?.number.map { "fattura-\($0)" } ?? "fattura"
        do { pdf = try await WebOutput.pdf(of: web, named: name) } catch { view.failed(error) }
    }
}

struct InvoiceScreen: View {
    let app: App
    let messageId: Int64
    @State private var model = InvoiceModel()
    @State private var web: WKWebView?
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        VStack(spacing: 0) {
            Picker("invoice.style", selection: $model.style) {
                Text("invoice.compact").tag(InvoiceStyle.compact)
                Text("invoice.ministerial").tag(InvoiceStyle.ministerial)
            }
            .pickerStyle(.segmented)
            .padding(.horizontal)
            if let view = model.view.value {
                IntegrityLine(view: view).padding(.horizontal)
                HTMLView(html: view.html) { made in Task { @MainActor in web = made } }
            } else if let code = model.view.errorCode {
                Text(ErrorText.of(code)).foregroundStyle(.red).padding()
            } else {
                ProgressView().frame(maxHeight: .infinity)
            }
            if !model.notices.value.isEmpty {
                NoticeList(notices: model.notices.value)
            }
        }
        .navigationTitle(model.view.value?.supplier ?? "")
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItem(placement: .cancellationAction) { Button("common.close") { dismiss() } }
            ToolbarItemGroup(placement: .primaryAction) {
                if let url = model.original {
                    ShareLink(item: url) { Label("invoice.shareOriginal", systemImage: "doc") }
                }
                if let url = model.pdf {
                    ShareLink(item: url) { Label("invoice.sharePDF", systemImage: "doc.richtext") }
                } else if let web {
                    // Made on demand: the page has finished loading by the time the user asks.
                    Button("invoice.makePDF", systemImage: "doc.richtext") {
                        Task { await model.preparePDF(from: web) }
                    }
                }
                Button("invoice.print", systemImage: "printer") {
                    if let web { WebOutput.print(web, jobName: model.view.value?.fileName ?? "fattura") }
                }
                .disabled(web == nil)
            }
        }
        .task(id: model.style) {
            model.forgetPDF()
            await model.render(app, messageId)
        }
        .task { await model.prepareOriginal(app, messageId) }
        .task { await model.followNotices(app, messageId) }
    }
}

/// Whether the invoice file was signed, and by someone trusted: the core's verdict.
struct IntegrityLine: View {
    let view: InvoiceView

    var body: some View {
        HStack {
            switch view.integrity {
            case .signedTrusted: Label("invoice.signedTrusted", systemImage: "checkmark.seal.fill").foregroundStyle(.green)
            case .signedUntrusted: Label("invoice.signedUntrusted", systemImage: "exclamationmark.triangle").foregroundStyle(.orange)
            case .notSigned: Label("invoice.notSigned", systemImage: "doc")
            }
            Spacer()
            if let total = view.total { Text(total).bold() }
        }
        .font(.footnote)
    }
}

/// What the SdI said about the invoice, oldest first.
struct NoticeList: View {
    let notices: [SdiNotice]

    var body: some View {
        List(notices, id: \.messageId) { notice in
            VStack(alignment: .leading) {
                Text(notice.fileName).font(.footnote.bold())
                if let when = notice.when { Text(when).font(.caption) }
                ForEach(notice.problems, id: \.code) { p in
                    Text(verbatim: "\(p.code) \(p.description ?? "")").font(.caption).foregroundStyle(.red)
                }
            }
        }
        .frame(maxHeight: 180)
    }
}
