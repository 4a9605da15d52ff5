import PecKit
import UserNotifications

/// Local notifications of what a background sync brought. They say how many, never a subject or a
/// sender: the lock screen is public, the mail is not.
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
}
