"""Holds docs/protocol.md against the code: endpoints, socket events, acknowledgement fields, error codes, actions.

The document's tables are read by their first header cell (docs/protocol.md, "How this document is checked"):

- `endpoint`: one row per HTTP method and path (the first backticked text of the row, without its `?query`);
- `request` (client to server) and `message` (server to client), under a heading that names the namespace:
  one row per event; a request row's `acknowledgement` cell names every field of the success acknowledgement
  besides `ok`, its `errors` cell the error codes, its `payload` cell the fields;
- `error code`: one row per code of `protocol.ERRORS`;
- `action`: one row per facilitator action (a row may name two, as `next` / `prev`).

In those cells a field or a code is a backticked plain name (`token`); anything else (`{"ok": true}`, `"paced"`,
`Me`) is prose. `problems(text, wire)` lists every disagreement; `wire_of(app)` reads the code.
"""
from __future__ import annotations

import ast
import inspect
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

NAMESPACES = ("/participant", "/screen", "/facilitator")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
TICKS = re.compile(r"`([^`]+)`")
CELL_SPLIT = re.compile(r"(?<!\\)\|")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
KINDS = ("endpoint", "request", "message", "error code", "action")


@dataclass
class Row:
    """One table row: its table's kind and namespace, its cells by header, and the line it is on."""

    kind: str
    namespace: str | None
    cells: dict[str, str]
    line: int

    def first(self) -> str:
        """The first cell's first backticked text ('' without one)."""
        found = TICKS.findall(next(iter(self.cells.values()), ""))
        return found[0] if found else ""

    def names(self, header: str) -> set[str]:
        """The backticked plain names in the column whose header starts with `header`."""
        for name, cell in self.cells.items():
            if name.startswith(header):
                return {t for t in TICKS.findall(cell) if NAME.match(t)}
        return set()


@dataclass
class Request:
    """What the code says of one client-to-server event."""

    ack: set[str]
    reads: set[str] = field(default_factory=set)  # payload fields the handler itself reads
    errors: set[str] = field(default_factory=set)  # error codes the handler itself answers


@dataclass
class Wire:
    """What the code says: endpoints ('GET /path'), requests and messages per namespace, error codes, actions."""

    endpoints: set[str]
    requests: dict[tuple[str, str], Request]
    sent: dict[str, set[str]]
    errors: set[str]
    actions: set[str]


def cells(line: str) -> list[str]:
    """The cells of a table line (`\\|` stays inside a cell)."""
    return [c.strip() for c in CELL_SPLIT.split(line.strip().strip("|"))]


def rows(text: str) -> list[Row]:
    """Every row of the tables this checker reads, with the namespace of the heading it sits under."""
    found: list[Row] = []
    headings: list[tuple[int, str | None]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            headings = [h for h in headings if h[0] < level]
            named = [ns for ns in NAMESPACES if f"`{ns}`" in heading.group(2)]
            headings.append((level, named[0] if named else None))
        elif line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|$", lines[i + 1].strip()):
            header = [h.lower() for h in cells(line)]
            kind = next((k for k in KINDS if header[0] == k), None)
            namespace = next((ns for _, ns in reversed(headings) if ns), None)
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                if kind:
                    found.append(Row(kind, namespace, dict(zip(header, cells(lines[i]))), i + 1))
                i += 1
            continue
        i += 1
    return found


def endpoint_key(text: str) -> str:
    """'GET /compare?c=…' -> 'GET /compare'; converters dropped: '<path:filename>' -> '<filename>'."""
    text = text.split("?", 1)[0].strip()
    return re.sub(r"<[a-z_]+:([a-z_]+)>", r"<\1>", text)


def once(keyed: Iterable[tuple[Any, Row]], what: str) -> tuple[dict[Any, Row], list[str]]:
    """Rows by key, and a problem for each key documented twice."""
    seen: dict[Any, Row] = {}
    found = []
    for key, row in keyed:
        if key in seen:
            found.append(f"{what} {show(key)} is documented twice (lines {seen[key].line} and {row.line})")
        else:
            seen[key] = row
    return seen, found


def show(key: Any) -> str:
    """A key as the problem list writes it."""
    return " ".join(key) if isinstance(key, tuple) else str(key)


def compare(documented: Iterable[Any], code: Iterable[Any], what: str) -> list[str]:
    """Problems for what the code has and the document lacks, and the other way round."""
    documented, code = set(documented), set(code)
    return ([f"{what} {show(k)} is not documented" for k in sorted(code - documented)]
            + [f"{what} {show(k)} is documented but not in the code" for k in sorted(documented - code)])


def problems(text: str, wire: Wire) -> list[str]:
    """Every disagreement between a protocol document and the code."""
    found: list[str] = []
    every = rows(text)

    def of(kind: str) -> list[Row]:
        return [r for r in every if r.kind == kind]

    endpoints, dup = once(((endpoint_key(r.first()), r) for r in of("endpoint")), "endpoint")
    found += dup + compare(endpoints, wire.endpoints, "endpoint")
    for key, row in endpoints.items():
        found += [f"endpoint {key} names the unknown error code {c}" for c in sorted(row.names("error") - wire.errors)]

    for kind, code in (("request", set(wire.requests)),
                       ("message", {(ns, e) for ns, events in wire.sent.items() for e in events})):
        missing_ns = [r for r in of(kind) if r.namespace is None]
        found += [f"{kind} {r.first()} (line {r.line}) sits under no heading naming its namespace" for r in missing_ns]
        documented, dup = once((((r.namespace, r.first()), r) for r in of(kind) if r.namespace), kind)
        found += dup + compare(documented, code, kind)
        if kind == "request":
            for key in sorted(set(documented) & code):
                found += request_problems(key, documented[key], wire.requests[key], wire.errors)

    codes, dup = once(((r.first(), r) for r in of("error code")), "error code")
    found += dup + compare(codes, wire.errors, "error code")

    actions, dup = once(((name, r) for r in of("action") for name in sorted(r.names("action"))), "action")
    found += dup + compare(actions, wire.actions, "action")
    return found


def request_problems(key: tuple[str, str], row: Row, request: Request, errors: set[str]) -> list[str]:
    """A request row against its handler: the acknowledgement's fields, the error codes, the payload fields read."""
    name, found = show(key), []
    documented = row.names("acknowledgement")
    found += [f"request {name}: acknowledgement field {f} is not documented" for f in sorted(request.ack - documented)]
    found += [f"request {name}: acknowledgement field {f} is documented but not in the code"
              for f in sorted(documented - request.ack)]
    codes = row.names("errors")
    found += [f"request {name}: error code {c} is not in protocol.ERRORS" for c in sorted(codes - errors)]
    found += [f"request {name}: its handler answers error code {c}, not documented"
              for c in sorted(request.errors - codes)]
    found += [f"request {name}: its handler reads payload field {f}, not documented"
              for f in sorted(request.reads - row.names("payload"))]
    return found


# The code's side

def function_tree(function: Any) -> ast.AST:
    """The syntax tree of a function (unwrapped from its decorators)."""
    return ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(function))))


def constant(node: ast.AST | None) -> str | None:
    """A string constant's value, else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def called(node: ast.Call) -> str:
    """The called name: `fail` for self.fail(...), `Rejected` for Rejected(...)."""
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def read_handler(function: Any, event: str) -> Request:
    """A handler's success acknowledgement fields, the payload fields it reads and the error codes it answers."""
    tree = function_tree(function)
    request, acks = Request(set()), 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
            keys = node.value.keys
            if any(constant(k) == "ok" and getattr(v, "value", None) is True for k, v in zip(keys, node.value.values)):
                acks += 1
                if any(k is None for k in keys):
                    raise ValueError(f"{event}: write out the acknowledgement's fields (no **) so they can be read")
                request.ack |= {constant(k) for k in keys if constant(k) != "ok"}
        elif isinstance(node, ast.Call) and called(node) == "get" and node.args and constant(node.args[0]):
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if (isinstance(receiver, ast.Name) and receiver.id == "data") or (
                    isinstance(receiver, ast.Call) and called(receiver) == "as_dict"):
                request.reads.add(constant(node.args[0]))
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "data":
            if constant(node.slice):
                request.reads.add(constant(node.slice))
        if isinstance(node, ast.Call) and called(node) in ("fail", "Rejected", "refuse") and node.args:
            if constant(node.args[0]):
                request.errors.add(constant(node.args[0]))
    if not acks:
        raise ValueError(f"{event}: no success acknowledgement ({{'ok': True, ...}}) found in its handler")
    return request


def wire_of(app: Any) -> Wire:
    """What the running app and workshop/web/protocol.py say."""
    from workshop.web import protocol as p

    requests: dict[tuple[str, str], Request] = {}
    for namespace, handler in app.extensions["socketio"].server.namespace_handlers.items():
        for attr in dir(type(handler)):
            if attr.startswith("on_") and attr not in ("on_connect", "on_disconnect"):
                requests[(namespace, attr[3:])] = read_handler(getattr(type(handler), attr), f"{namespace} {attr[3:]}")
    endpoints = {f"{method} {endpoint_key(rule.rule)}" for rule in app.url_map.iter_rules()
                 for method in rule.methods - {"HEAD", "OPTIONS"}}
    return Wire(endpoints, requests, {ns: set(events) for ns, events in p.SENT.items()}, set(p.ERRORS),
                set(p.ACTIONS))


# Codes and events written in the code itself

def python_files(root: Path, *parts: str) -> list[Path]:
    """The Python files under some folders of the package."""
    return sorted(f for part in parts for f in (root / part).rglob("*.py"))


def error_codes_in(paths: Iterable[Path]) -> dict[str, str]:
    """Error codes written as literals: Rejected/fail/refuse/failure/error(code), api_error(status, code), {"code": ...}."""
    found: dict[str, str] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            code = None
            if isinstance(node, ast.Call):
                name = called(node)
                if name in ("Rejected", "refuse", "failure", "error") and node.args:
                    code = constant(node.args[0])
                elif name == "fail" and isinstance(node.func, ast.Attribute) and node.args and (
                        isinstance(node.func.value, ast.Name) and node.func.value.id == "self"):
                    code = constant(node.args[0])
                elif name == "api_error" and len(node.args) > 1:
                    code = constant(node.args[1])
            elif isinstance(node, ast.Dict) and "web" in path.parts:
                for key, value in zip(node.keys, node.values):
                    if constant(key) == "code" and constant(value):
                        found.setdefault(constant(value), f"{path.name}:{value.lineno}")
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "code" for t in node.targets):
                for value in ast.walk(node.value):
                    if constant(value):
                        found.setdefault(constant(value), f"{path.name}:{value.lineno}")
            if code:
                found.setdefault(code, f"{path.name}:{node.lineno}")
    return {code: where for code, where in found.items() if NAME.match(code)}


def emitted_in(paths: Iterable[Path], protocol: Any) -> list[tuple[str, str | None, str]]:
    """(event, namespace or None, where) of each call whose first argument is an event constant of protocol (`p.X`).

    A namespace is known when another argument is a namespace constant; `protocol` may be imported under any name.
    """
    namespaces = {protocol.PARTICIPANT, protocol.SCREEN, protocol.FACILITATOR}

    def constant_of(name: str) -> str | None:
        found = getattr(protocol, name, None)
        return found if isinstance(found, str) and name.isupper() else None

    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules, names = set(), set()  # how this file names the protocol module, and its constants imported alone
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "workshop.web":
                modules |= {a.asname or a.name for a in node.names if a.name == "protocol"}
            elif isinstance(node, ast.ImportFrom) and node.module == "workshop.web.protocol":
                names |= {a.asname or a.name for a in node.names if a.name.isupper()}

        def value(node: ast.AST) -> str | None:
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                return constant_of(node.attr)
            if isinstance(node, ast.Name) and node.id in names:
                return constant_of(node.id)
            return None

        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and value(node.args[0]) not in (None, *namespaces):
                named = [value(a) for a in [*node.args[1:], *(k.value for k in node.keywords)]]
                namespace = next((n for n in named if n in namespaces), None)
                found.append((value(node.args[0]), namespace, f"{path.name}:{node.lineno}"))
    return found
