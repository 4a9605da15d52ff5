import PecKit
import SwiftUI

/// A delegate's view of what the owner allowed (the five permissions of the provider's
/// webmail), and of what this login may not do, with the core's reason for each.
struct PermissionsScreen: View {
    let account: AccountInfo

    var body: some View {
        List {
            Section("permissions.granted") {
                row("permissions.read", account.permissions.read)
                row("permissions.write", account.permissions.write)
                row("permissions.send", account.permissions.send)
                row("permissions.mailPrograms", account.permissions.mailPrograms)
                row("permissions.settings", account.permissions.settings)
            }
            if !account.denied.isEmpty {
                Section("permissions.denied") {
                    ForEach(Array(account.denied.enumerated()), id: \.offset) { _, denied in
                        VStack(alignment: .leading) {
                            Text(Self.action(denied.action)).bold()
                            if let missing = denied.missing {
                                Text("permissions.because \(Self.permission(missing))")
                                    .font(.caption).foregroundStyle(.secondary)
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("permissions.title")
    }

    private func row(_ title: LocalizedStringKey, _ granted: Bool) -> some View {
        Label(title, systemImage: granted ? "checkmark.circle.fill" : "xmark.circle")
            .foregroundStyle(granted ? Color.primary : Color.secondary)
    }

    static func action(_ a: AccountAction) -> LocalizedStringKey {
        switch a {
        case .sync: return "action.sync"
        case .send: return "action.send"
        case .flag: return "action.flag"
        case .moveDelete: return "action.moveDelete"
        case .editSettings: return "action.editSettings"
        }
    }

    static func permission(_ p: PermissionKind) -> String {
        switch p {
        case .read: return String(localized: "permissions.read")
        case .write: return String(localized: "permissions.write")
        case .send: return String(localized: "permissions.send")
        case .mailPrograms: return String(localized: "permissions.mailPrograms")
        case .settings: return String(localized: "permissions.settings")
        }
    }
}
