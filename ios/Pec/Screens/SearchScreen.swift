import PecKit
import SwiftUI

/// Search with the filters sender, recipient, subject, words, period and folder. The core searches
/// (its full-text index and the search box's syntax); each change searches again a moment after the
/// last keystroke.
@Observable @MainActor
final class SearchModel {
    enum Period: CaseIterable, Hashable {
        case week, month, year, always

        var days: Int64? {
            switch self {
            case .week: return 7
            case .month: return 31
            case .year: return 366
            case .always: return nil
            }
        }
    }

    var text = ""
    var from = ""
    var to = ""
    var subject = ""
    var period = Period.always
    var inFolder = false
    let results = Live<[ListRow]>([])
    private(set) var searched = false

    var empty: Bool { [text, from, to, subject].allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }

    /// What is typed, as one value: a change restarts the search.
    var query: [String] { [text, from, to, subject, "\(period)", "\(inFolder)"] }

    func search(_ app: App, accountId: Int64, folderId: Int64?) async {
        guard !empty else {
            searched = false
            return
        }
        let filters = SearchFilters(
            text: text.trimmingCharacters(in: .whitespaces),
            from: Self.optional(from), to: Self.optional(to), subject: Self.optional(subject),
            after: period.days.map { Int64(Date().timeIntervalSince1970) - $0 * 86_400 },
            before: nil, folderId: inFolder ? folderId : nil,
            hideReceipts: false, invoicesOnly: false, limit: 200)
        await results.load { try await app.search(accountId: accountId, filters: filters) }
        searched = true
    }

    private static func optional(_ s: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? nil : t
    }
}

struct SearchScreen: View {
    let app: App
    let accountId: Int64
    /// The folder the search was opened from, for "only in this folder".
    let folderId: Int64?
    let open: (Int64) -> Void
    @State private var model = SearchModel()
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        List {
            Section {
                TextField("search.from", text: $model.from)
                TextField("search.to", text: $model.to)
                TextField("search.subject", text: $model.subject)
                Picker("search.period", selection: $model.period) {
                    Text("search.week").tag(SearchModel.Period.week)
                    Text("search.month").tag(SearchModel.Period.month)
                    Text("search.year").tag(SearchModel.Period.year)
                    Text("search.always").tag(SearchModel.Period.always)
                }
                if folderId != nil {
                    Toggle("search.inFolder", isOn: $model.inFolder)
                }
            }
            Section {
                ForEach(model.results.value, id: \.id) { row in
                    Button { open(row.id) } label: { MessageRow(row: row) }
                        .buttonStyle(.plain)
                }
                if model.searched, model.results.value.isEmpty {
                    Text("search.nothing").foregroundStyle(.secondary)
                }
                if let code = model.results.errorCode {
                    Text(ErrorText.of(code)).foregroundStyle(.red)
                }
            }
        }
        .searchable(text: $model.text, placement: .navigationBarDrawer(displayMode: .always), prompt: Text("search.prompt"))
        .navigationTitle("search.title")
        .toolbar { ToolbarItem(placement: .cancellationAction) { Button("common.close") { dismiss() } } }
        .task(id: model.query) {
            do { try await Task.sleep(for: .milliseconds(250)) } catch { return }
            await model.search(app, accountId: accountId, folderId: folderId)
        }
    }
}
