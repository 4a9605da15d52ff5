import Foundation
import PecKit

/// Documents going into a PEC are streamed into the core in chunks (never whole in memory); the
/// core keeps them sealed in its data directory until the PEC is queued.
enum Staging {
    static let chunk = 256 * 1024

    /// A file picked in Files or given to the app.
    static func stage(_ url: URL, in app: App) async throws -> OutgoingAttachment {
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        let stage = try app.stageAttachment(fileName: url.lastPathComponent)
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        while let data = try handle.read(upToCount: chunk), !data.isEmpty {
            try await stage.write(chunk: data)
        }
        return try await stage.finish()
    }

    /// A photo from the library, already in memory as the picker hands it over.
    static func stage(_ data: Data, named name: String, in app: App) async throws -> OutgoingAttachment {
        let stage = try app.stageAttachment(fileName: name)
        var offset = 0
        while offset < data.count {
            let end = min(offset + chunk, data.count)
            try await stage.write(chunk: data.subdata(in: offset..<end))
            offset = end
        }
        return try await stage.finish()
    }
}
