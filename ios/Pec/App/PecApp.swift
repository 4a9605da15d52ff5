import BackgroundTasks
import PecKit
import SwiftUI

/// The entry point: one window whose content is the lock until the user authenticates, a cover
/// whenever the scene is not active (the app switcher shows nothing of the mail), and the scene's
/// comings and goings reported to the core, which applies the lock policy.
@main
struct PecApp: SwiftUI.App {
    @State private var model = AppModel()
    @Environment(\.scenePhase) private var scenePhase

    init() {
        BackgroundRefresh.register()
    }

    var body: some Scene {
        WindowGroup {
            RootScreen(model: model)
                .overlay {
                    if scenePhase != .active {
                        PrivacyCover()
                    }
                }
                .onOpenURL { url in model.receive(url) }
        }
        .onChange(of: scenePhase) { _, phase in
            model.sceneChanged(to: phase)
        }
    }
}

/// What the app switcher and a glance at a phone in the inactive state see: the name, nothing else.
struct PrivacyCover: View {
    var body: some View {
        ZStack {
            Rectangle().fill(.background)
            Label("app.name", systemImage: "lock.fill")
                .font(.title2)
                .foregroundStyle(.secondary)
        }
        .ignoresSafeArea()
    }
}
