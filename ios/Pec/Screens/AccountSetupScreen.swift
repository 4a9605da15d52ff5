import PecKit
import SwiftUI

/// Adding a mailbox: the provider guessed from the address (the core's table and guess), a
/// delegated login, custom servers, and the core's login check, whose failure comes back as a code
/// the screen translates (wrong password, certificate, unreachable, a delegate without permission).
@Observable @MainActor
final class AccountSetupModel {
    let presets = providerPresets()
    var address = "" {
        didSet { if !picked { provider = guessProvider(address: address) ?? .custom } }
    }
    var password = ""
    var provider = Provider.custom {
        didSet { picked = picked || provider != (guessProvider(address: address) ?? .custom) }
    }
    var imap = ""
    var smtp = ""
    var delegateLogin = ""
    var delegatePermissions = Permissions(read: true, write: false, send: false, mailPrograms: true, settings: false)
    private(set) var checking = false
    private(set) var errorCode: String?
    private(set) var added: AccountInfo?
    @ObservationIgnored private var picked = false

    /// Log in over IMAP and SMTP, and save the account only when that works.
    func submit(_ app: App) async {
        checking = true
        defer { checking = false }
        do {
            var custom: CustomServer?
            if provider == .custom {
                let i = try parseHostPort(text: imap)
                let s = try parseHostPort(text: smtp)
                custom = CustomServer(imapHost: i.host, imapPort: i.port, smtpHost: s.host, smtpPort: s.port, caFile: nil)
            }
            let login = delegateLogin.trimmingCharacters(in: .whitespaces)
            let delegation = login.isEmpty ? nil : Delegation(login: login, permissions: delegatePermissions)
            let account = NewAccount(
                provider: provider, address: address.trimmingCharacters(in: .whitespaces), password: password,
                displayName: nil, custom: custom, delegation: delegation, offline: false)
            added = try await app.addAccount(account: account)
            errorCode = nil
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }
}

struct AccountSetupScreen: View {
    let app: App
    @State private var model = AccountSetupModel()
    @State private var delegated = false
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        Form {
            Section {
                TextField("setup.address", text: $model.address)
                    .textContentType(.username)
                    .keyboardType(.emailAddress)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                SecureField("setup.password", text: $model.password)
                    .textContentType(.password)
                Picker("setup.provider", selection: $model.provider) {
                    ForEach(model.presets, id: \.provider) { preset in
                        Text(preset.name).tag(preset.provider)
                    }
                    Text("setup.custom").tag(Provider.custom)
                }
            }
            if model.provider == .custom {
                Section("setup.servers") {
                    TextField("setup.imap", text: $model.imap)
                    TextField("setup.smtp", text: $model.smtp)
                }
                .textInputAutocapitalization(.never)
                .autocorrectionDisabled()
            }
            Section {
                Toggle("setup.delegated", isOn: $delegated)
                if delegated {
                    TextField("setup.delegateLogin", text: $model.delegateLogin)
                        .textInputAutocapitalization(.never)
                    Toggle("permissions.read", isOn: $model.delegatePermissions.read)
                    Toggle("permissions.write", isOn: $model.delegatePermissions.write)
                    Toggle("permissions.send", isOn: $model.delegatePermissions.send)
                    Toggle("permissions.mailPrograms", isOn: $model.delegatePermissions.mailPrograms)
                    Toggle("permissions.settings", isOn: $model.delegatePermissions.settings)
                }
            } footer: {
                Text("setup.delegatedHelp")
            }
            Section {
                Button {
                    Task { await model.submit(app) }
                } label: {
                    if model.checking { ProgressView() } else { Text("setup.add") }
                }
                .disabled(model.checking || model.address.isEmpty || model.password.isEmpty)
                if let code = model.errorCode {
                    Text(ErrorText.of(code)).foregroundStyle(.red)
                }
            }
        }
        .navigationTitle("setup.title")
        .onChange(of: model.added?.id) { _, id in
            if id != nil { dismiss() }
        }
        .onChange(of: delegated) { _, on in
            if !on { model.delegateLogin = "" }
        }
    }
}
