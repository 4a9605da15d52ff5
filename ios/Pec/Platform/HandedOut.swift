import Foundation

/// The plain copies handed to Quick Look, the share sheet and other apps (attachments, evidence,
/// an invoice's original and its PDF), all under one folder of the temporary directory, written
/// with complete file protection. It is emptied when the app comes back to the screen locked and
/// when it starts (a process ended while unlocked leaves copies), as Android empties its shared
/// cache folder: not at the lock itself, since the app a file went to may still be reading it.
enum HandedOut {
    static var root: URL {
        FileManager.default.temporaryDirectory.appending(path: "handed-out", directoryHint: .isDirectory)
    }

    /// The folder for one hand-off; `fresh` empties it first (an export written again whole).
    static func folder(_ name: String, fresh: Bool) throws -> URL {
        let dir = root.appending(path: name, directoryHint: .isDirectory)
        if fresh {
            try? FileManager.default.removeItem(at: dir)
        }
        try FileManager.default.createDirectory(
            at: dir, withIntermediateDirectories: true,
            attributes: [.protectionKey: FileProtectionType.complete])
        return dir
    }

    /// Delete every copy.
    static func clear() {
        try? FileManager.default.removeItem(at: root)
    }
}
