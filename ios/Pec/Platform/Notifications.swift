import PecKit
import UserNotifications

/// Local notifications of what a background sync brought. They say how many, never a subject or a
/// sender: the lock screen is public, the mail is not.
enum Notifications {
    static func requestPermission() async {
        _ = try? await UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .badge, .sound])
    }

    static func arrived(_ summary: SyncSummary, account: AccountInfo) async {
        guard summary.added > 0 else { return }
        let content = UNMutableNotificationContent()
        content.title = account.displayName ?? account.address
        content.body = String(localized: "notification.new \(summary.added)")
        content.threadIdentifier = "account-\(account.id)"
        let request = UNNotificationRequest(identifier: "sync-\(account.id)", content: content, trigger: nil)
        try? await UNUserNotificationCenter.current().add(request)
    }
}
