// The core's subscriptions as Swift async sequences: each sends the current state first, then
// every change, and ending the iteration (a SwiftUI `.task` that goes away) cancels the core's side.
import Foundation
@_exported import PecCore

/// The stable code of any error a facade call throws (`PecError`) or a stream ends with.
public func errorCode(of error: Error) -> String {
    switch error {
    case let pec as PecError: return errorCode(error: pec)
    case PecKitError.core(let event): return event.code
    default: return "internal"
    }
}

private final class ChangeRelay: ChangeListener, @unchecked Sendable {
    let continuation: AsyncStream<ChangeEvent>.Continuation
    init(_ c: AsyncStream<ChangeEvent>.Continuation) { continuation = c }
    func onChange(change: ChangeEvent) { continuation.yield(change) }
}

private final class ListRelay: ListListener, @unchecked Sendable {
    let continuation: AsyncThrowingStream<ListUpdate, Error>.Continuation
    init(_ c: AsyncThrowingStream<ListUpdate, Error>.Continuation) { continuation = c }
    func onUpdate(update: ListUpdate) { continuation.yield(update) }
    func onError(error: ErrorEvent) { continuation.finish(throwing: PecKitError.core(error)) }
}

private final class DeliveryRelay: DeliveryListener, @unchecked Sendable {
    let continuation: AsyncThrowingStream<DeliveryStatus, Error>.Continuation
    init(_ c: AsyncThrowingStream<DeliveryStatus, Error>.Continuation) { continuation = c }
    func onDelivery(status: DeliveryStatus) { continuation.yield(status) }
    func onError(error: ErrorEvent) { continuation.finish(throwing: PecKitError.core(error)) }
}

/// A watched list: its updates, and the handle that pages it and switches "hide receipts".
public struct ListFeed: Sendable {
    public let updates: AsyncThrowingStream<ListUpdate, Error>
    public let watch: ListWatch
}

public extension App {
    /// Every change of the store (accounts, folders, messages, deliveries), newest last.
    func changes() -> AsyncStream<ChangeEvent> {
        AsyncStream(bufferingPolicy: .bufferingNewest(64)) { continuation in
            let sub = self.subscribeChanges(listener: ChangeRelay(continuation))
            continuation.onTermination = { _ in sub.cancel() }
        }
    }

    /// One list (a folder, the inbox, invoices, receipts): its rows first, then what changed.
    func listFeed(accountId: Int64, view: ViewRef, pageSize: UInt32 = 50) async throws -> ListFeed {
        let (updates, continuation) = AsyncThrowingStream<ListUpdate, Error>.makeStream()
        let watch = try await self.watchList(
            accountId: accountId, view: view, pageSize: pageSize, hideReceipts: nil,
            listener: ListRelay(continuation))
        continuation.onTermination = { _ in watch.cancel() }
        return ListFeed(updates: updates, watch: watch)
    }

    /// A sent message's delivery: its state first, then at every receipt.
    func deliveryStream(messageId: Int64) -> AsyncThrowingStream<DeliveryStatus, Error> {
        AsyncThrowingStream { continuation in
            let sub = self.subscribeDelivery(messageId: messageId, listener: DeliveryRelay(continuation))
            continuation.onTermination = { _ in sub.cancel() }
        }
    }
}

public extension ListUpdate {
    /// The counts every update carries.
    var counts: ListCounts {
        switch self {
        case .reset(_, let counts): return counts
        case .changes(_, _, _, let counts): return counts
        }
    }
}

public extension Array where Element == ListRow {
    /// The rows after `update`: a reset's rows, or the removals, then the insertions at their
    /// index, then the updated rows in place. Which rows changed is the core's to say.
    func applying(_ update: ListUpdate) -> [ListRow] {
        switch update {
        case .reset(let rows, _):
            return rows
        case .changes(let removed, let inserted, let updated, _):
            let gone = Set(removed)
            var rows = filter { !gone.contains($0.id) }
            for insert in inserted {
                rows.insert(insert.row, at: Swift.min(Int(insert.index), rows.count))
            }
            let fresh = Dictionary(updated.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            return rows.map { fresh[$0.id] ?? $0 }
        }
    }
}
