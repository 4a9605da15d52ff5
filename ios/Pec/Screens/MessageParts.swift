import PecKit
import SwiftUI

/// Sender, subject and date as the core gives them (the real sender of a certified message).
struct Header: View {
    let row: ListRow

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(row.subject).font(.title3.bold())
            Text(row.sender).font(.subheadline)
            Text(Date(timeIntervalSince1970: TimeInterval(row.date)), format: .dateTime)
                .font(.caption)
                .foregroundStyle(.secondary)
        }
    }
}

/// What the evidence proves, in plain words: for a received PEC its provider's signature, for
/// one sent from here its certified receipts. Both verdicts are the core's; a tampering sign
/// comes first.
struct CertifiedBanner: View {
    let view: MessageView

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            if !view.pec.headerMismatches.isEmpty {
                Label("banner.tampered", systemImage: "exclamationmark.octagon.fill").bold()
            }
            if let sent = view.sent {
                Text(sentText(sent))
            } else {
                Text(signatureText)
            }
            if let provider = view.pec.signature.provider, view.sent == nil, view.pec.signature.state == .valid {
                Text(provider).font(.caption).foregroundStyle(.secondary)
            }
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(10)
        .background(colour.opacity(0.15), in: .rect(cornerRadius: 8))
    }

    private var signatureText: LocalizedStringKey {
        switch view.pec.signature.state {
        case .valid: return "banner.valid"
        case .invalid: return "banner.invalid"
        case .untrusted: return "banner.untrusted"
        case .absent: return "banner.absent"
        case .notChecked: return "banner.notChecked"
        }
    }

    private func sentText(_ p: SentProof) -> LocalizedStringKey {
        switch p.verdict {
        case .failed: return "sent.failed \(p.failed) \(p.recipients)"
        case .delivered: return "sent.delivered"
        case .partlyDelivered: return "sent.partlyDelivered \(p.delivered) \(p.recipients)"
        case .accepted: return "sent.accepted"
        case .waiting: return "sent.waiting"
        }
    }

    private var colour: Color {
        if let sent = view.sent {
            switch sent.verdict {
            case .failed: return .red
            case .delivered, .partlyDelivered: return .green
            case .accepted, .waiting: return .gray
            }
        }
        switch view.pec.signature.state {
        case .valid: return .green
        case .invalid: return .red
        default: return .gray
        }
    }
}

/// Each recipient of a sent PEC: accepted, delivered, warned or failed, with the times of the
/// certified receipts.
struct Timeline: View {
    let recipients: [RecipientTimeline]

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text("timeline.title").font(.headline)
            ForEach(recipients, id: \.address) { r in
                HStack(alignment: .firstTextBaseline) {
                    step(r.state)
                    VStack(alignment: .leading) {
                        Text(r.name ?? r.address)
                        if let at = r.deliveredAt ?? r.failedAt ?? r.warningAt ?? r.acceptedAt {
                            Text(Date(timeIntervalSince1970: TimeInterval(at)), format: .dateTime)
                                .font(.caption).foregroundStyle(.secondary)
                        }
                        if let detail = r.detail {
                            Text(detail).font(.caption).foregroundStyle(.secondary)
                        }
                    }
                }
            }
        }
    }

    @ViewBuilder
    private func step(_ s: DeliveryStep) -> some View {
        switch s {
        case .sent: Image(systemName: "clock").foregroundStyle(.secondary)
        case .accepted: Text(verbatim: "✓").bold()
        case .delivered: Text(verbatim: "✓✓").bold().foregroundStyle(.green)
        case .warning: Image(systemName: "exclamationmark.triangle.fill").foregroundStyle(.orange)
        case .failed: Image(systemName: "xmark.circle.fill").foregroundStyle(.red)
        }
    }
}

/// The attachments: save (only that part is downloaded) with progress, then Quick Look or share.
struct Attachments: View {
    let model: MessageModel
    let view: MessageView
    let save: (AttachmentInfo) -> Void
    let open: (URL) -> Void

    var body: some View {
        ForEach(Array(view.attachments.enumerated()), id: \.offset) { _, a in
            let file = a.section.flatMap { model.files[$0] }
            HStack {
                Image(systemName: "paperclip")
                VStack(alignment: .leading) {
                    Text(a.fileName ?? a.mime).lineLimit(1)
                    if let file, file.url == nil {
                        ProgressView(value: Double(file.done), total: Double(max(file.total, 1)))
                    } else {
                        Text(Int64(a.size), format: .byteCount(style: .file)).font(.caption).foregroundStyle(.secondary)
                    }
                }
                Spacer()
                if let url = file?.url {
                    Button("attachment.open", systemImage: "eye") { open(url) }.labelStyle(.iconOnly)
                    ShareLink(item: url) { Image(systemName: "square.and.arrow.up") }
                } else if file == nil, a.section != nil {
                    Button("attachment.save", systemImage: "arrow.down.circle") { save(a) }.labelStyle(.iconOnly)
                }
            }
        }
    }
}

/// The text of the message (HTML is shown as the core's plain text here: no remote content).
struct MessageText: View {
    let view: MessageView
    let downloading: Bool

    var body: some View {
        if downloading {
            ProgressView("message.downloading")
        } else if let text = view.bodyText {
            Text(text).textSelection(.enabled)
        } else if let why = view.analysisError {
            Text(why).foregroundStyle(.secondary)
        }
        if view.remoteBlocked > 0 {
            Text("message.remoteBlocked \(view.remoteBlocked)").font(.caption).foregroundStyle(.secondary)
        }
    }
}
