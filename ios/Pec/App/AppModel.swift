import Foundation
import PecKit
import SwiftUI

/// The app's lock: locked (nothing of the mailbox exists on screen), the key lost, or open on
/// the core. The decisions are the core's: whether time away means locking again
/// (`cameToForeground`), whether a key opens the store (`WrongKey`), what starting again deletes.
/// This model asks the platform to authenticate and passes the answers on.
@Observable @MainActor
final class AppModel {
    enum Phase {
        case locked
        /// The Keychain lost the old key (a new Face ID or fingerprint): see `KeyLostScreen`.
        case keyLost
        case open(App)
    }

    private(set) var phase: Phase = .locked
    private(set) var unlocking = false
    private(set) var errorCode: String?
    /// Documents given to the app (Files, Mail, the share sheet), staged sealed by the core once
    /// it is unlocked; compose opens with them.
    var shared: [OutgoingAttachment] = []
    @ObservationIgnored private var waiting: [URL] = []
    @ObservationIgnored private var core: App?
    private let vault = KeyVault()

    init() {
        // Copies a process ended while unlocked left behind.
        HandedOut.clear()
    }

    /// The core, when open: for the background refresh, which runs only then.
    var openCore: App? {
        if case .open(let app) = phase { return app }
        return nil
    }

    /// Ask Face ID / Touch ID (or the passcode on a device without them) for the store key.
    func unlock() async {
        await authenticated { app, key in
            if let app {
                try await app.unlock(storeKey: key)
                return app
            }
            let dir = try Self.dataDir().path
            // Opening reads the store file: off the main actor.
            return try await Task.detached {
                try App.withStoreKey(dataDir: dir, secrets: KeychainSecrets(), storeKey: key)
            }.value
        }
    }

    /// The user agreed to start again after the key was lost: the core replaces the store.
    func startAgain() async {
        core = nil
        await authenticated { _, key in
            let dir = try Self.dataDir().path
            return try await Task.detached {
                try App.startAgain(dataDir: dir, secrets: KeychainSecrets(), storeKey: key)
            }.value
        }
    }

    private func authenticated(_ open: (App?, Data) async throws -> App) async {
        guard !unlocking else { return }
        unlocking = true
        defer { unlocking = false }
        do {
            let key = try await vault.storeKey()
            let app = try await open(core, key)
            core = app
            errorCode = nil
            phase = .open(app)
            BackgroundRefresh.schedule(minutes: (try? await app.settings().syncMinutes) ?? 15)
            await stageWaiting(in: app)
        } catch PecError.WrongKey {
            phase = .keyLost
        } catch KeyVault.Failure.cancelled {
            errorCode = nil
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// The scene came and went: the core locks itself by its policy; the view follows.
    func sceneChanged(to scene: ScenePhase) {
        guard let core else { return }
        let now = Self.monotonicMillis()
        switch scene {
        case .background:
            core.wentToBackground(nowMs: now)
            if core.isLocked() { phase = .locked }
        case .active:
            if core.cameToForeground(nowMs: now) {
                phase = .locked
                // Back locked: the copies go now, not at the lock itself, since the app they
                // were handed to may have been reading them while this one was away.
                HandedOut.clear()
            }
        default:
            break
        }
    }

    /// A document opened in the app: staged now, or after the unlock.
    func receive(_ url: URL) {
        waiting.append(url)
        if let app = openCore {
            Task { await self.stageWaiting(in: app) }
        }
    }

    private func stageWaiting(in app: App) async {
        let urls = waiting
        waiting = []
        for url in urls {
            do {
                shared.append(try await Staging.stage(url, in: app))
            } catch {
                errorCode = PecKit.errorCode(of: error)
            }
        }
    }

    /// The data directory: in Application Support, excluded from backups (the mail is on the
    /// server; the key is bound to this device).
    static func dataDir() throws -> URL {
        var dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appending(path: "pec", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try dir.setResourceValues(values)
        return dir
    }

    /// A clock that a change of the date cannot move: the core measures time away with it.
    static func monotonicMillis() -> Int64 {
        Int64(clock_gettime_nsec_np(CLOCK_UPTIME_RAW) / 1_000_000)
    }
}
