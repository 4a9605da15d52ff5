"""What can be checked of Swift without a Swift compiler: every file parses, and every call into
the facade names a function, method, initializer or record that the generated bindings have, with
the same argument labels.

    python3 ios/swift_check.py GENERATED.swift ROOT... [--api DIR] [--strings CATALOG.xcstrings]

GENERATED is uniffi's `PecCore.swift`; every `.swift` file under the ROOTs is checked. `--api DIR`
adds the public extensions of the hand-written Swift layer (PecKit) to what the facade offers. With
`--strings`, every literal key given to `Text`, `Button`, `String(localized:)` and the like must be
in the string catalog with an Italian, an English and a Romanian value. A call is a
facade call when it is made on `app` / `App` (the facade object, by convention in this code) or
names a type or function the bindings declare. The check is by names and labels only: types,
optionals and overloads that differ by type are not seen. Exit status 1 on any problem.
"""

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Node, Parser

SWIFT = Language(tree_sitter_swift.language())


@dataclass
class Signature:
    """The argument labels of one callable; `optional` marks those with a default value."""

    labels: list
    optional: list
    trailing_closure: bool = False

    def accepts(self, given: list, closure: bool) -> bool:
        """True when `given` labels (None for unlabeled) fit these parameters in order."""
        params = list(zip(self.labels, self.optional))
        if closure:
            if not params:
                return False
            params = params[:-1]  # a trailing closure fills the last parameter
        i = 0
        for label in given:
            while i < len(params) and params[i][0] != label and params[i][1]:
                i += 1
            if i == len(params) or params[i][0] != label:
                return False
            i += 1
        return all(opt for _, opt in params[i:])


@dataclass
class Api:
    """Callables of the bindings: free functions, types (their initializers), members by type."""

    functions: dict = field(default_factory=dict)  # name -> [Signature]
    types: dict = field(default_factory=dict)  # type name -> [Signature] (inits, enum cases)
    members: dict = field(default_factory=dict)  # type name -> {name -> [Signature]}

    def member(self, type_name: str, name: str) -> list:
        return self.members.get(type_name, {}).get(name, [])

    def any_member(self, name: str) -> list:
        return [s for m in self.members.values() for s in m.get(name, [])]


def parse(path: Path) -> Node:
    return Parser(SWIFT).parse(path.read_bytes()).root_node


def text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


def syntax_problems(path: Path, root: Node) -> list:
    """Every ERROR or MISSING node, with its line."""
    found = []
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            kind = "missing " + n.type if n.is_missing else "cannot parse"
            snippet = text(n).splitlines()[0][:60] if text(n) else ""
            found.append(f"{path}:{n.start_point[0] + 1}: {kind}: {snippet!r}")
            continue
        if n.has_error:
            stack.extend(n.children)
    return found


def signature(decl: Node) -> Signature:
    """The labels of a function or initializer declaration (`_` means unlabeled)."""
    labels, optional = [], []
    children = decl.children
    for i, c in enumerate(children):
        if c.type != "parameter":
            continue
        external = c.child_by_field_name("external_name")
        name = c.child_by_field_name("name")
        label = text(external) if external is not None else text(name) if name else None
        labels.append(None if label == "_" else label)
        nxt = children[i + 1] if i + 1 < len(children) else None
        optional.append(nxt is not None and nxt.type == "=")
    return Signature(labels, optional)


def is_public(decl: Node) -> bool:
    for c in decl.children:
        if c.type == "modifiers" and ("public" in text(c) or "open" in text(c)):
            return True
    return False


def declared_name(decl: Node) -> str:
    name = decl.child_by_field_name("name")
    return text(name) if name is not None else ""


def read_api(generated: Path, extra: list = ()) -> Api:
    api = Api()
    for path in [generated, *extra]:
        read_declarations(api, path)
    return api


def read_declarations(api: Api, path: Path) -> None:
    for decl in parse(path).children:
        if decl.type == "function_declaration" and is_public(decl):
            api.functions.setdefault(declared_name(decl), []).append(signature(decl))
        elif decl.type in ("class_declaration", "protocol_declaration") and is_public(decl):
            read_type(api, decl)


def read_type(api: Api, decl: Node) -> None:
    """Members of a class, struct, enum or protocol (and of an extension of one)."""
    name = declared_name(decl)
    body = next((c for c in decl.children if c.type.endswith("_body")), None)
    if body is None:
        return
    members = api.members.setdefault(name, {})
    inits = api.types.setdefault(name, [])
    for m in body.children:
        if m.type in ("function_declaration", "protocol_function_declaration"):
            members.setdefault(declared_name(m), []).append(signature(m))
        elif m.type == "init_declaration":
            inits.append(signature(m))
        elif m.type == "enum_entry":
            read_cases(api, name, m)
        elif m.type in ("property_declaration", "protocol_property_declaration"):
            pattern = m.child_by_field_name("name")
            if pattern is not None:
                members.setdefault(text(pattern).split(":")[0].strip(), [])


def read_cases(api: Api, enum: str, entry: Node) -> None:
    """`case a, b(x: Int)`: each case is a member; one with values takes their labels."""
    names = [c for c in entry.children if c.type == "simple_identifier"]
    members = api.members.setdefault(enum, {})
    for n in names:
        members.setdefault(text(n), [])
    data = [c for c in entry.children if c.type == "enum_type_parameters"]
    if names and data:
        labels = [text(c) for c in data[0].children if c.type == "simple_identifier"]
        members[text(names[-1])] = [Signature(labels, [False] * len(labels))]


@dataclass
class Call:
    path: Path
    line: int
    receiver: str  # "" for a bare name
    name: str
    labels: list
    closure: bool


def call_nodes(root: Node):
    """Every call expression under `root`."""
    stack = [root]
    while stack:
        n = stack.pop()
        stack.extend(n.children)
        if n.type == "call_expression" and n.children:
            yield n


def calls(path: Path, root: Node) -> list:
    found = []
    for n in call_nodes(root):
        callee = n.children[0]
        suffix = next((c for c in n.children if c.type == "call_suffix"), None)
        if suffix is None:
            continue
        receiver, name = split_callee(callee)
        if not name:
            continue
        labels, closure = arguments(suffix)
        found.append(Call(path, n.start_point[0] + 1, receiver, name, labels, closure))
    return found


def split_callee(callee: Node) -> tuple:
    if callee.type == "simple_identifier":
        return "", text(callee)
    if callee.type == "navigation_expression":
        target = callee.child_by_field_name("target")
        suffix = callee.child_by_field_name("suffix")
        if suffix is None:
            return "", ""
        member = suffix.child_by_field_name("suffix")
        name = text(member) if member is not None else text(suffix).lstrip(".")
        return (text(target) if target is not None else ""), name
    return "", ""


def arguments(suffix: Node) -> tuple:
    labels, closure = [], False
    for c in suffix.children:
        if c.type == "value_arguments":
            for a in c.children:
                if a.type == "value_argument":
                    label = a.child_by_field_name("name")
                    labels.append(text(label).rstrip(":").strip() if label is not None else None)
        elif c.type in ("lambda_literal", "annotated_lambda"):
            closure = True
    return labels, closure


FACADE_RECEIVERS = {"app", "self.app", "model.app", "core", "App"}


def check_call(api: Api, call: Call) -> str | None:
    """Why this call does not match the bindings, or None (also for calls that are not facade's)."""
    where = f"{call.path}:{call.line}"
    shown = f"{call.receiver + '.' if call.receiver else ''}{call.name}({', '.join((l or '_') + ':' for l in call.labels)})"
    if call.receiver in FACADE_RECEIVERS:
        owner = "App"
        sigs = api.member(owner, call.name)
        if call.receiver == "App" and call.name in api.members.get("App", {}) and not sigs:
            sigs = []
        if not sigs and call.name not in api.members.get(owner, {}):
            return f"{where}: {shown}: App has no `{call.name}` in the bindings"
    elif not call.receiver and call.name in api.types:
        sigs = api.types[call.name]
        if not sigs:
            return None  # a protocol or a type constructed elsewhere
    elif not call.receiver and call.name in api.functions:
        sigs = api.functions[call.name]
    else:
        return None
    if any(s.accepts(call.labels, call.closure) for s in sigs):
        return None
    wanted = " or ".join(
        "(" + ", ".join((l or "_") + ":" + ("=" if o else "") for l, o in zip(s.labels, s.optional)) + ")"
        for s in sigs
    )
    return f"{where}: {shown}: the bindings take {wanted or 'no arguments'}"


# Calls whose first argument, a plain string literal, is a key of the string catalog.
KEYED_CALLS = {
    "Text", "Button", "Label", "Toggle", "Section", "Picker", "TextField", "SecureField",
    "navigationTitle", "LocalizedStringKey", "LocalizedStringResource", "ContentUnavailableView",
    "LabeledContent", "Menu", "ShareLink", "confirmationDialog", "alert", "ProgressView",
}
LANGUAGES = ("it", "en", "ro")


def string_keys(path: Path, root: Node) -> list:
    """(line, key) of every literal key passed to a keyed call or to `String(localized:)`."""
    found = []
    for n in call_nodes(root):
        _, name = split_callee(n.children[0])
        suffix = next((c for c in n.children if c.type == "call_suffix"), None)
        args = next((c for c in suffix.children if c.type == "value_arguments"), None) if suffix else None
        if args is None:
            continue
        first = next((a for a in args.children if a.type == "value_argument"), None)
        if first is None:
            continue
        label = first.child_by_field_name("name")
        label = text(label).rstrip(":").strip() if label is not None else None
        keyed = (name in KEYED_CALLS and label is None) or (name == "String" and label == "localized")
        literal = first.children[-1] if first.children else None
        if keyed and literal is not None and literal.type == "line_string_literal":
            found.append((n.start_point[0] + 1, format_key(literal)))
    return found


def format_key(literal: Node) -> str:
    """The catalog key of a literal: `"sent.failed \\(n) \\(m)"` is looked up as `sent.failed %`
    followed by whatever format the interpolated types give, so it is matched by its stem."""
    if not any(c.type == "interpolated_expression" for c in literal.children):
        return text(literal)[1:-1]
    return text(literal)[1:].split("\\(")[0].rstrip() + " %"


# Arguments that take an SF Symbol name, which looks like a key ("lock.fill") but is not one.
SYMBOL_LABELS = {"systemImage", "systemName"}
KEY_SHAPE = re.compile(r"^[a-z][a-zA-Z]*(\.[a-zA-Z0-9]+)+$")


def literal_keys(root: Node, prefixes: set) -> list:
    """(line, key) of every other plain literal shaped like a catalog key (`"banner.valid"`
    returned as a `LocalizedStringKey`): dotted, its first part one the catalog uses."""
    found = []
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "value_argument":
            label = n.child_by_field_name("name")
            if label is not None and text(label).rstrip(":").strip() in SYMBOL_LABELS:
                continue
        stack.extend(n.children)
        if n.type != "line_string_literal":
            continue
        key = format_key(n)
        if KEY_SHAPE.match(key.removesuffix(" %")) and key.split(".")[0] in prefixes:
            found.append((n.start_point[0] + 1, key))
    return found


def catalog_problems(catalog: dict, path: Path, keys: list) -> list:
    problems = []
    strings = catalog.get("strings", {})
    for line, key in keys:
        if key.endswith(" %"):
            key = next((k for k in sorted(strings) if k.startswith(key)), key)
        entry = strings.get(key)
        if entry is None:
            problems.append(f"{path}:{line}: string key {key!r} is not in the catalog")
            continue
        units = entry.get("localizations", {})
        missing = [l for l in LANGUAGES if not units.get(l, {}).get("stringUnit", {}).get("value")]
        if missing:
            problems.append(f"{path}:{line}: string key {key!r} has no {', '.join(missing)} value")
    return problems


def main(argv: list) -> int:
    catalog = None
    if "--strings" in argv:
        i = argv.index("--strings")
        catalog = json.loads(Path(argv[i + 1]).read_text(encoding="utf-8"))
        argv = argv[:i] + argv[i + 2:]
    extra = []
    while "--api" in argv:
        i = argv.index("--api")
        extra += sorted(Path(argv[i + 1]).rglob("*.swift"))
        argv = argv[:i] + argv[i + 2:]
    if len(argv) < 3:
        print(__doc__)
        return 2
    api = read_api(Path(argv[1]), extra)
    if not api.members.get("App"):
        print(f"swift-check: no `App` class in {argv[1]}: not uniffi's bindings?")
        return 1
    files = sorted(p for root in argv[2:] for p in Path(root).rglob("*.swift") if p.resolve() != Path(argv[1]).resolve())
    problems, checked, keys = [], 0, 0
    for path in files:
        root = parse(path)
        problems += syntax_problems(path, root)
        for call in calls(path, root):
            why = check_call(api, call)
            if why:
                problems.append(why)
            elif call.receiver in FACADE_RECEIVERS or (not call.receiver and (call.name in api.types or call.name in api.functions)):
                checked += 1
        if catalog is not None:
            prefixes = {k.split(".")[0] for k in catalog.get("strings", {})}
            used = sorted(set(string_keys(path, root)) | set(literal_keys(root, prefixes)))
            keys += len(used)
            problems += catalog_problems(catalog, path, used)
    for p in problems:
        print(p)
    print(f"swift-check: {len(files)} files parsed, {checked} facade calls matched, "
          f"{keys} string keys found in 3 languages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
