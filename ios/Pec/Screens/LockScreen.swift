import PecKit
import SwiftUI

/// Drawn while locked: the name, the button that asks Face ID / Touch ID, and nothing of the
/// mailbox, not even a count. It asks at once when it appears.
struct LockScreen: View {
    let model: AppModel

    var body: some View {
        VStack(spacing: 24) {
            Image(systemName: "lock.shield")
                .font(.system(size: 56))
                .foregroundStyle(.tint)
            Text("lock.title")
                .font(.title2.bold())
            Button {
                Task { await model.unlock() }
            } label: {
                Label("lock.unlock", systemImage: "faceid")
            }
            .buttonStyle(.borderedProminent)
            .disabled(model.unlocking)
            if let code = model.errorCode {
                Text(ErrorText.of(code))
                    .foregroundStyle(.red)
                    .multilineTextAlignment(.center)
            }
        }
        .padding()
        .task { await model.unlock() }
    }
}

/// The Keychain lost the store key (a face or finger was enrolled): why the data on this device
/// can no longer be read, and the way on, asked twice because it deletes that data for good.
struct KeyLostScreen: View {
    let model: AppModel
    @State private var confirming = false

    var body: some View {
        VStack(spacing: 16) {
            Text("keyLost.title")
                .font(.title2.bold())
            Text("keyLost.text")
                .multilineTextAlignment(.center)
            Button("keyLost.startAgain", role: .destructive) { confirming = true }
                .buttonStyle(.borderedProminent)
        }
        .padding()
        .confirmationDialog("keyLost.confirm", isPresented: $confirming, titleVisibility: .visible) {
            Button("keyLost.startAgain", role: .destructive) {
                Task { await model.startAgain() }
            }
            Button("common.cancel", role: .cancel) {}
        }
    }
}
