import PecKit
import SwiftUI

/// To or Cc as tokens: each address with the core's verdict (certified PEC, not PEC ⚠, invalid),
/// a field to add one with the address book's completions, a button to remove one.
struct Recipients: View {
    let app: App
    let title: LocalizedStringKey
    @Binding var addresses: [String]
    let check: DraftCheck?
    @State private var typing = ""
    @State private var suggestions: [AddressSuggestion] = []

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            ForEach(addresses, id: \.self) { address in
                HStack {
                    status(address)
                    Text(address).lineLimit(1)
                    Spacer()
                    Button("compose.remove", systemImage: "xmark.circle.fill") {
                        addresses.removeAll { $0 == address }
                    }
                    .labelStyle(.iconOnly)
                    .buttonStyle(.borderless)
                }
            }
            TextField(title, text: $typing)
                .textContentType(.emailAddress)
                .keyboardType(.emailAddress)
                .textInputAutocapitalization(.never)
                .autocorrectionDisabled()
                .onSubmit {
                    let address = typing.trimmingCharacters(in: .whitespaces)
                    if !address.isEmpty { addresses.append(address) }
                    typing = ""
                }
                .task(id: typing) {
                    // A moment after the last keystroke: contacts first, then correspondents.
                    do { try await Task.sleep(for: .milliseconds(150)) } catch { return }
                    let typed = typing.trimmingCharacters(in: .whitespaces)
                    suggestions = typed.isEmpty ? [] : ((try? await app.suggestAddresses(typed: typed, limit: 6)) ?? [])
                }
            ForEach(suggestions, id: \.address) { s in
                Button {
                    addresses.append(s.address)
                    typing = ""
                    suggestions = []
                } label: {
                    HStack {
                        ProofMark(proof: s.proof)
                        VStack(alignment: .leading) {
                            if s.named { Text(s.name) }
                            Text(s.address).font(s.named ? .caption : .body)
                                .foregroundStyle(s.named ? .secondary : .primary)
                        }
                    }
                }
            }
        }
    }

    @ViewBuilder
    private func status(_ address: String) -> some View {
        let verdict = check?.recipients.first { $0.inputs.contains(address) || $0.address == address }
        if let verdict, !verdict.valid {
            Image(systemName: "xmark.octagon.fill").foregroundStyle(.red).accessibilityLabel(Text("compose.invalid"))
        } else if let verdict, !verdict.pec {
            Image(systemName: "exclamationmark.triangle.fill").foregroundStyle(.orange).accessibilityLabel(Text("compose.notPec"))
        } else if verdict != nil {
            Image(systemName: "checkmark.seal.fill").foregroundStyle(.green).accessibilityLabel(Text("compose.pec"))
        }
    }
}

/// What an address proved, as the core says: certified ✓, not PEC ⚠, failed ✗.
struct ProofMark: View {
    let proof: PecProof

    var body: some View {
        switch proof {
        case .certified: Image(systemName: "checkmark.seal.fill").foregroundStyle(.green).accessibilityLabel(Text("compose.pec"))
        case .notPec: Image(systemName: "exclamationmark.triangle.fill").foregroundStyle(.orange).accessibilityLabel(Text("compose.notPec"))
        case .failed: Image(systemName: "xmark.octagon.fill").foregroundStyle(.red).accessibilityLabel(Text("compose.failed"))
        case .unknown: Image(systemName: "person.crop.circle").foregroundStyle(.secondary)
        }
    }
}

/// Size × recipients against the provider's limit, as the core counts them; red when the core
/// says the PEC is too large.
struct SizeBar: View {
    let check: DraftCheck

    var body: some View {
        VStack(alignment: .leading) {
            ProgressView(value: Double(min(check.totalBytes, check.limitBytes)), total: Double(max(check.limitBytes, 1)))
                .tint(check.problems.contains { $0.kind == .tooLarge } ? .red : .accentColor)
            Text("compose.size \(Self.size(check.totalBytes)) \(Self.size(check.limitBytes))")
                .font(.caption)
                .foregroundStyle(.secondary)
            if check.senderQuota == .nearlyFull || check.senderQuota == .full {
                Label("compose.receiptsMayNotArrive", systemImage: "exclamationmark.triangle.fill")
                    .font(.caption)
                    .foregroundStyle(.orange)
            }
        }
    }

    private static func size(_ bytes: UInt64) -> String {
        ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)
    }
}

/// What stops the sending (the core's problems), a failure, or what happened.
struct Problems: View {
    let check: DraftCheck?
    let errorCode: String?
    let sent: SendResult?
    let draftSaved: Bool

    var body: some View {
        Section {
            ForEach(Array((check?.problems ?? []).enumerated()), id: \.offset) { _, problem in
                VStack(alignment: .leading) {
                    Text(Self.text(problem.kind)).foregroundStyle(.red)
                    if !problem.detail.isEmpty {
                        Text(problem.detail).font(.caption).foregroundStyle(.secondary)
                    }
                }
            }
            if let errorCode {
                Text(ErrorText.of(errorCode)).foregroundStyle(.red)
            }
            if let sent {
                Label(sent.submitted ? LocalizedStringKey("compose.submitted") : LocalizedStringKey("compose.queued"), systemImage: "paperplane.fill")
                ForEach(sent.warnings, id: \.self) { Text($0).font(.caption) }
            }
            if draftSaved {
                Label("compose.draftSaved", systemImage: "checkmark")
            }
        }
    }

    static func text(_ kind: DraftProblemKind) -> LocalizedStringKey {
        switch kind {
        case .noRecipients: return "problem.noRecipients"
        case .bccNotAllowed: return "problem.bccNotAllowed"
        case .invalidAddress: return "problem.invalidAddress"
        case .noSender: return "problem.noSender"
        case .blockedAttachment: return "problem.blockedAttachment"
        case .attachmentUnreadable: return "problem.attachmentUnreadable"
        case .tooLarge: return "problem.tooLarge"
        case .tooManyRecipients: return "problem.tooManyRecipients"
        case .badSubject: return "problem.badSubject"
        case .htmlWithoutText: return "problem.htmlWithoutText"
        case .other: return "problem.other"
        }
    }
}
