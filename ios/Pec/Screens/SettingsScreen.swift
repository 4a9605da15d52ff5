import PecKit
import SwiftUI

/// The settings the core keeps (the lock, receipts in lists, the sync interval, downloads); the
/// core refuses what it would not honour.
@Observable @MainActor
final class SettingsModel {
    let settings = Live<AppSettings?>(nil)

    func change(_ app: App, _ edit: (inout AppSettings) -> Void) async {
        guard var next = settings.value else { return }
        edit(&next)
        let saved = next
        await settings.load {
            try await app.setSettings(settings: saved)
            return saved
        }
    }
}

struct SettingsScreen: View {
    let app: App
    @State private var model = SettingsModel()
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        Form {
            if let s = model.settings.value {
                Section("settings.lock") {
                    Picker("settings.lockAfter", selection: binding(s.lock) { $0.lock = $1 }) {
                        Text("settings.lockImmediately").tag(LockPolicy.immediately)
                        Text("settings.lockOneMinute").tag(LockPolicy.afterMinutes(minutes: 1))
                        Text("settings.lockFiveMinutes").tag(LockPolicy.afterMinutes(minutes: 5))
                        Text("settings.lockNever").tag(LockPolicy.never)
                    }
                }
                Section("settings.lists") {
                    Toggle("settings.hideReceipts", isOn: binding(s.hideReceipts) { $0.hideReceipts = $1 })
                }
                Section("settings.sync") {
                    Picker("settings.syncEvery", selection: binding(s.syncMinutes) { $0.syncMinutes = $1 }) {
                        Text("settings.minutes15").tag(UInt32(15))
                        Text("settings.minutes30").tag(UInt32(30))
                        Text("settings.minutes60").tag(UInt32(60))
                    }
                    Picker("settings.downloads", selection: binding(s.downloads) { $0.downloads = $1 }) {
                        Text("settings.downloadReceipts").tag(DownloadPolicy.receiptsOnly)
                        Text("settings.downloadSmall").tag(DownloadPolicy.small)
                        Text("settings.downloadAll").tag(DownloadPolicy.all)
                    }
                }
            }
            if let code = model.settings.errorCode {
                Text(ErrorText.of(code)).foregroundStyle(.red)
            }
        }
        .navigationTitle("settings.title")
        .toolbar { ToolbarItem(placement: .cancellationAction) { Button("common.close") { dismiss() } } }
        .task { await model.settings.load { try await app.settings() } }
    }

    /// A control's value, saved through the core when it changes.
    private func binding<V: Sendable>(_ value: V, _ set: @escaping (inout AppSettings, V) -> Void) -> Binding<V> {
        Binding(get: { value }, set: { new in
            Task { await model.change(app) { set(&$0, new) } }
        })
    }
}
