"""The Swift checker's own tests: each kind of mistake it exists to catch is caught, and the
right forms pass. Run by ios/check.sh before it checks the app."""

import tempfile
import unittest
from pathlib import Path

import swift_check

BINDINGS = """
open class App: AppProtocol, @unchecked Sendable {
    public static func withStoreKey(dataDir: String, secrets: SecretStore, storeKey: Data) throws -> App { fatalError() }
    open func message(messageId: Int64) async throws -> MessageView { fatalError() }
    open func sync(accountId: Int64, bodies: BodyDownload, listener: SyncListener?) async throws -> SyncSummary { fatalError() }
    open func saveAttachment(messageId: Int64, section: String, dir: String, listener: DownloadListener? = nil) async throws -> SavedFile { fatalError() }
}
public struct PageCursor: Equatable, Hashable {
    public var date: Int64
    public var id: Int64
    public init(date: Int64, id: Int64) { self.date = date; self.id = id }
}
public enum ViewRef: Equatable, Hashable {
    case folder(id: Int64)
    case inbox
}
public func errorCode(error: PecError) -> String { "" }
"""

CATALOG = {"sourceLanguage": "en", "version": "1.0", "strings": {
    "lock.title": {"localizations": {l: {"stringUnit": {"value": "x"}} for l in ("en", "it", "ro")}},
    "lock.half": {"localizations": {l: {"stringUnit": {"value": "x"}} for l in ("en", "it")}},
    "list.counts %u": {"localizations": {l: {"stringUnit": {"value": "%u"}} for l in ("en", "it", "ro")}},
}}


class SwiftCheckTest(unittest.TestCase):
    def problems(self, swift: str) -> list:
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            (root / "PecCore.swift").write_text(BINDINGS)
            (root / "app").mkdir()
            (root / "app" / "Screen.swift").write_text(swift)
            api = swift_check.read_api(root / "PecCore.swift")
            path = root / "app" / "Screen.swift"
            tree = swift_check.parse(path)
            found = swift_check.syntax_problems(path, tree)
            found += [w for c in swift_check.calls(path, tree) if (w := swift_check.check_call(api, c))]
            prefixes = {k.split(".")[0] for k in CATALOG["strings"]}
            keys = sorted(set(swift_check.string_keys(path, tree)) | set(swift_check.literal_keys(tree, prefixes)))
            found += swift_check.catalog_problems(CATALOG, path, keys)
            return found

    def test_right_calls_keys_and_records_pass(self):
        self.assertEqual([], self.problems("""
            func f(app: App) async throws {
                _ = try await app.message(messageId: 1)
                _ = try await app.saveAttachment(messageId: 1, section: "2", dir: "/tmp")
                _ = try App.withStoreKey(dataDir: "d", secrets: s, storeKey: k)
                _ = PageCursor(date: 1, id: 2)
                _ = ViewRef.folder(id: 3)
                Text("lock.title")
                Text("list.counts \\(n)")
                Image(systemName: "lock.fill")
            }
        """))

    def test_a_wrong_label_is_caught(self):
        found = self.problems("func f(app: App) async throws { _ = try await app.message(id: 1) }")
        self.assertEqual(1, len(found), found)
        self.assertIn("app.message(id:)", found[0])

    def test_a_missing_argument_and_an_unknown_method_are_caught(self):
        found = self.problems("""
            func f(app: App) async throws {
                _ = try await app.sync(accountId: 1, bodies: .all)
                app.messages(messageId: 1)
            }
        """)
        self.assertEqual(2, len(found), found)

    def test_a_wrong_record_field_is_caught(self):
        found = self.problems("let c = PageCursor(date: 1, messageId: 2)")
        self.assertEqual(1, len(found), found)

    def test_a_syntax_error_is_caught(self):
        found = self.problems("struct A { func f( { }")
        self.assertTrue(any("parse" in p or "missing" in p for p in found), found)

    def test_missing_keys_and_languages_are_caught(self):
        found = self.problems("""
            func body() {
                Text("lock.nowhere")
                Button("lock.half") {}
            }
            func key() -> LocalizedStringKey { return "lock.other" }
        """)
        self.assertEqual(3, len(found), found)
        self.assertTrue(any("no ro value" in p for p in found), found)


if __name__ == "__main__":
    unittest.main()
