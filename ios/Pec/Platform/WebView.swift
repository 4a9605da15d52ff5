import PecKit
import SwiftUI
import WebKit

/// HTML the core made (an invoice in either style), in a web view that runs no script, loads
/// nothing from the network and follows no link inside itself: a link opens in the browser.
struct HTMLView: UIViewRepresentable {
    let html: String
    /// Handed the web view once it exists, for a PDF or a print of what it shows.
    var onReady: (WKWebView) -> Void = { _ in }

    func makeUIView(context: Context) -> WKWebView {
        let config = WKWebViewConfiguration()
        config.defaultWebpagePreferences.allowsContentJavaScript = false
        config.websiteDataStore = .nonPersistent()
        let view = WKWebView(frame: .zero, configuration: config)
        view.navigationDelegate = context.coordinator
        onReady(view)
        return view
    }

    func updateUIView(_ view: WKWebView, context: Context) {
        if context.coordinator.shown != html {
            context.coordinator.shown = html
            view.loadHTMLString(html, baseURL: nil)
        }
    }

    func makeCoordinator() -> Coordinator { Coordinator() }

    @MainActor
    final class Coordinator: NSObject, WKNavigationDelegate {
        var shown: String?

        func webView(_ webView: WKWebView, decidePolicyFor action: WKNavigationAction) async -> WKNavigationActionPolicy {
            guard action.navigationType == .linkActivated, let url = action.request.url else {
                return action.request.url?.scheme == "about" ? .allow : .cancel
            }
            if url.scheme == "https" || url.scheme == "http" || url.scheme == "mailto" {
                _ = await UIApplication.shared.open(url)
            }
            return .cancel
        }
    }
}

/// What the invoice screen does with the web view: a PDF of the page, and the print panel.
@MainActor
enum WebOutput {
    /// The page as a PDF file in the handed-out folder, named after the invoice.
    static func pdf(of view: WKWebView, named name: String) async throws -> URL {
        let data = try await view.pdf(configuration: WKPDFConfiguration())
        let url = try HandedOut.folder("pdf", fresh: false).appending(path: name + ".pdf")
        try data.write(to: url, options: [.atomic, .completeFileProtection])
        return url
    }

    static func print(_ view: WKWebView, jobName: String) {
        let info = UIPrintInfo.printInfo()
        info.jobName = jobName
        info.outputType = .general
        let controller = UIPrintInteractionController.shared
        controller.printInfo = info
        controller.printFormatter = view.viewPrintFormatter()
        controller.present(animated: true)
    }
}
