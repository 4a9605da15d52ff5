import PecKit
import SwiftUI

/// The settings the core keeps (the lock, receipts in lists, the sync interval, downloads). Each
/// change is saved through the core, which refuses what it would not honour; the screen then
/// shows the settings as stored.
@Observable @MainActor
final class SettingsModel {
    /// What the controls show; nil until the core answered.
    var settings: AppSettings?
    private(set) var errorCode: String?
    @ObservationIgnored private var stored: AppSettings?

    func load(_ app: App) async {
        do {
            stored = try await app.settings()
            settings = stored
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    func save(_ app: App) async {
        guard let next = settings, next != stored else { return }
        do {
            try await app.setSettings(settings: next)
            stored = next
            errorCode = nil
        } catch {
            errorCode = PecKit.errorCode(of: error)
            settings = stored
        }
    }
}

struct SettingsScreen: View {
    let app: App
    @State private var model = SettingsModel()
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        Form {
            if let settings = Binding($model.settings) {
                Section("settings.lock") {
                    Picker("settings.lockAfter", selection: settings.lock) {
                        Text("settings.lockImmediately").tag(LockPolicy.immediately)
                        Text("settings.lockOneMinute").tag(LockPolicy.afterMinutes(minutes: 1))
                        Text("settings.lockFiveMinutes").tag(LockPolicy.afterMinutes(minutes: 5))
                        Text("settings.lockNever").tag(LockPolicy.never)
                    }
                }
                Section("settings.lists") {
                    Toggle("settings.hideReceipts", isOn: settings.hideReceipts)
                }
                Section("settings.sync") {
                    Picker("settings.syncEvery", selection: settings.syncMinutes) {
                        Text("settings.minutes15").tag(UInt32(15))
                        Text("settings.minutes30").tag(UInt32(30))
                        Text("settings.minutes60").tag(UInt32(60))
                    }
                    Picker("settings.downloads", selection: settings.downloads) {
                        Text("settings.downloadReceipts").tag(DownloadPolicy.receiptsOnly)
                        Text("settings.downloadSmall").tag(DownloadPolicy.small)
                        Text("settings.downloadAll").tag(DownloadPolicy.all)
                    }
                }
            }
            if let code = model.errorCode {
                Text(ErrorText.of(code)).foregroundStyle(.red)
            }
        }
        .navigationTitle("settings.title")
        .toolbar { ToolbarItem(placement: .cancellationAction) { Button("common.close") { dismiss() } } }
        .task { await model.load(app) }
        .onChange(of: model.settings) { _, _ in
            Task { await model.save(app) }
        }
    }
}
