import PecKit
import UserNotifications

/// Local notifications of what a background sync brought, and of a box becoming nearly full or
/// full. They say how many, never a subject or a sender: the lock screen is public, the mail is not.
enum Notifications {
    static func requestPermission() async {
        _ = try? await UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .badge, .sound])
    }

    static func arrived(_ arrival: AccountArrival) async {
        guard arrival.added > 0 else { return }
        let content = UNMutableNotificationContent()
        content.title = arrival.name
        content.body = String(localized: "notification.new \(arrival.added)")
        content.threadIdentifier = "account-\(arrival.accountId)"
        let request = UNNotificationRequest(identifier: "sync-\(arrival.accountId)", content: content, trigger: nil)
        try? await UNUserNotificationCenter.current().add(request)
    }

    /// The box became nearly full or full in this pass (the core tells once per level).
    static func quota(_ arrival: AccountArrival) async {
        let body: String
        switch arrival.quotaAlert ?? .room {
        case .nearlyFull: body = String(localized: "notification.quotaNearlyFull")
        case .full: body = String(localized: "notification.quotaFull")
        case .room, .unknown: return
        }
        let content = UNMutableNotificationContent()
        content.title = arrival.name
        content.body = body
        content.threadIdentifier = "account-\(arrival.accountId)"
        let request = UNNotificationRequest(identifier: "quota-\(arrival.accountId)", content: content, trigger: nil)
        try? await UNUserNotificationCenter.current().add(request)
    }
}
