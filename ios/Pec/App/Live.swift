import PecKit
import SwiftUI

/// The one generic store between the core and the views: a value the core keeps current,
/// republished on the main actor. `follow` sends the first state and every change until the stream
/// ends or the calling task is cancelled (a view's `.task` going away); a failure keeps the last
/// value and sets `errorCode`, which the screen translates.
@Observable @MainActor
final class Live<Value: Sendable> {
    private(set) var value: Value
    private(set) var errorCode: String?

    init(_ initial: Value) {
        value = initial
    }

    /// Replace the value with each element of `stream`.
    func follow(_ stream: AsyncThrowingStream<Value, Error>) async {
        await fold(stream) { _, next in next }
    }

    /// Fold each update of `stream` into the value (a list's changes into its rows).
    func fold<Update: Sendable>(
        _ stream: AsyncThrowingStream<Update, Error>,
        _ apply: (Value, Update) -> Value
    ) async {
        do {
            for try await update in stream {
                value = apply(value, update)
                errorCode = nil
            }
        } catch is CancellationError {
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// Set the value from a single facade call (a screen that reads once, then on changes).
    func load(_ read: () async throws -> Value) async {
        do {
            value = try await read()
            errorCode = nil
        } catch is CancellationError {
        } catch {
            errorCode = PecKit.errorCode(of: error)
        }
    }

    /// Report a failure of an action taken on this value.
    func failed(_ error: Error) {
        errorCode = PecKit.errorCode(of: error)
    }
}
