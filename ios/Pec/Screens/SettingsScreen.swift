import PecKit
import SwiftUI

/// The settings the core keeps (the lock, receipts in lists, the sync interval, downloads) and
/// each account's signature. Each change is saved through the core, which refuses what it would
/// not honour; the screen then shows the settings as stored.
@Observable @MainActor
final class SettingsModel {
    /// What the controls show; nil until the core answered.
    var settings: AppSettings?
    private(set) var errorCode: String?
    /// The accounts, each with the signature the core keeps for it.
    private(set) var accounts: [AccountInfo] = []
    /// Signatures being written, by account, until saved.
    var signatures: [Int64: String] = [:]
    @ObservationIgnored private var stored: AppSettings?

    func load(_ app: App) async {
        do {
            stored = try await app.settings()
            accounts = try await app.accounts()
            settings = stored
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// Keep the signature written for `accountId`; the core cleans it (an empty one clears it).
    func saveSignature(_ app: App, accountId: Int64) async {
        guard let text = signatures[accountId] else { return }
        do {
            let kept = try await app.setSignature(accountId: accountId, text: text)
            if let i = accounts.firstIndex(where: { $0.id == accountId }) { accounts[i].signature = kept }
            signatures[accountId] = nil
            errorCode = nil
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
            Section("settings.signature") {
                ForEach(model.accounts, id: \.id) { account in
                    TextField(account.address, text: signature(of: account), axis: .vertical)
                        .lineLimit(2...6)
                    if model.signatures[account.id] != nil {
                        Button("settings.saveSignature") {
                            Task { await model.saveSignature(app, accountId: account.id) }
                        }
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

    /// What the signature field of `account` shows: what is being written, else what is kept.
    private func signature(of account: AccountInfo) -> Binding<String> {
        Binding(
            get: { model.signatures[account.id] ?? account.signature ?? "" },
            set: { model.signatures[account.id] = $0 })
    }
}
