import BackgroundTasks
import PecKit
import UserNotifications

/// The periodic sync while the app is away (`BGAppRefreshTask`): the core's background pass (every
/// account that may sync, with the settings' downloads, then the address books) when iOS grants
/// the time, and a local notification for what arrived. The core decides what the pass does; a
/// locked core skips it (a locked store has no key, and nothing is read or written without it).
enum BackgroundRefresh {
    static let identifier = "it.pec.app.sync"

    /// Called once at launch, before the app finishes launching.
    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { given in
            guard let given = given as? BGAppRefreshTask else { return }
            let task = TaskBox(given)
            let work = Task { @MainActor in
                task.task.setTaskCompleted(success: await refresh())
            }
            given.expirationHandler = { work.cancel() }
        }
    }

    /// Ask for the next refresh, no earlier than `minutes` from now (the settings' interval).
    static func schedule(minutes: UInt32) {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: TimeInterval(max(minutes, 15)) * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    @MainActor
    private static func refresh() async -> Bool {
        guard let app = Session.current?.openCore else { return false }
        let minutes = (try? await app.settings().syncMinutes) ?? 15
        defer { schedule(minutes: minutes) }
        do {
            let pass = try await app.backgroundPass()
            for arrival in pass.arrived {
                await Notifications.arrived(arrival)
                await Notifications.quota(arrival)
            }
            return !pass.retry
        } catch {
            return false
        }
    }
}

/// A BGTask is not marked Sendable; completing it is safe from any thread, as Apple documents.
private final class TaskBox: @unchecked Sendable {
    let task: BGAppRefreshTask
    init(_ task: BGAppRefreshTask) { self.task = task }
}

/// The one app model of the process, for the background task (set by the root screen).
@MainActor
enum Session {
    static weak var current: AppModel?
}
