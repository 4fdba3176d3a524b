"""Read a protocol file into plain data plus the position of every node.

The data path starts here: bytes -> YAML/JSON nodes with positions -> plain Python values and a
``positions`` map from the value's path (``("session", "steps", 3, "injection", "depth")``) to
its 1-based ``(line, column)``. Nothing here knows about techniques or rules; problems are
returned as :class:`LoadProblem` values that the checker turns into findings.

Defences (see the hostile-input issue): a size limit, binary and encoding detection, duplicate
keys, tags that would construct objects, alias expansion ("billion laughs") and nesting depth are
all bounded here, before any value is built.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import operator
import os
import re
import stat
from collections.abc import Iterator
from typing import Any, Final

import yaml

from mesosim import rules
from mesosim.document import DEFAULT_MAX_BYTES, Document, LoadProblem, Path, Pos

try:  # the C loader is ~10x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: plain scalar -> its resolved tag. The C parser asks Python to resolve every scalar (a
#: regex per candidate type), and a class's protocols repeat the same few hundred words and
#: numbers, so remembering the answer saves a fifth of the parse. Bounded.
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX: Final = 65536
_ScalarNode: Final = yaml.ScalarNode
_SequenceNode: Final = yaml.SequenceNode
_MappingNode: Final = yaml.MappingNode
_DEFAULT_TAG: Final = {_ScalarNode: _BaseLoader.DEFAULT_SCALAR_TAG,
                       _SequenceNode: _BaseLoader.DEFAULT_SEQUENCE_TAG,
                       _MappingNode: _BaseLoader.DEFAULT_MAPPING_TAG}


#: PyYAML's resolver, asked about the plain scalars not met yet (it keeps no state of its own
#: without path resolvers, which mesosim never registers)
_PLAIN: Final = yaml.resolver.Resolver()


def _resolve(self: object, kind: Any, value: Any, implicit: Any) -> Any:
    """The tag of a node without one: PyYAML's, memoised for plain scalars."""
    if kind is _ScalarNode and implicit[0]:
        tag = _RESOLVED.get(value)
        if tag is None:
            tag = _PLAIN.resolve(kind, value, implicit)
            if len(_RESOLVED) < _RESOLVED_MAX:
                _RESOLVED[value] = tag
        return tag
    # a quoted scalar, a mapping or a sequence: the kind's default tag, which is what
    # PyYAML's method returns without path resolvers (left out above), without its two
    # Python calls: 54 -> 51 us per protocol to compose (speed round 2)
    return _DEFAULT_TAG[kind]


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, with plain scalars' tag resolution memoised (same tags as PyYAML's)."""

    # The composer calls these two around every node, for YAML "path resolvers", which
    # mesosim never registers (PyYAML's own methods return at once when there are none). As
    # C functions that take the same arguments and whose result the composer ignores, each
    # call costs no Python frame: 60.4 -> 53.1 us per protocol to compose (speed round 2).
    descend_resolver = operator.is_  # type: ignore[assignment]  # (node, index) -> ignored
    ascend_resolver = tuple  # type: ignore[assignment]  # () -> ignored
    resolve = _resolve


if hasattr(yaml, "CSafeLoader"):
    class _Composer(yaml._yaml.CParser):  # type: ignore[misc,name-defined]
        """libyaml's parser composing nodes, as :class:`_Loader` does, without the
        constructor and resolver state a loader also sets up and composing never uses:
        53 -> 51 us per protocol (speed round 2)."""

        descend_resolver = _Loader.descend_resolver
        ascend_resolver = _Loader.ascend_resolver
        resolve = _resolve

    def _compose(source: str) -> yaml.Node | None:
        parser = _Composer(source)
        try:
            return parser.get_single_node()  # type: ignore[no-any-return]
        finally:
            parser.dispose()
else:  # pragma: no cover - depends on the platform's PyYAML build
    def _compose(source: str) -> yaml.Node | None:
        return yaml.compose(source, Loader=_Loader)


#: Most nodes one document may expand to, aliases included; bounds time and memory.
MAX_NODES: Final = 100_000
#: Deepest nesting accepted; protocols are at most ~6 levels deep.
MAX_DEPTH: Final = 64

_STD = "tag:yaml.org,2002:"
_STR: Final = _STD + "str"
_MAP: Final = _STD + "map"
_SEQ: Final = _STD + "seq"
_SCALAR_TAGS: Final = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
#: (tag, text) -> the value built, for the scalars that are not strings (numbers, dates...):
#: the same few recur in every protocol, and PyYAML's constructors take a regex and a few
#: calls each: the walk 36 -> 27 us per protocol (speed round 2). Values are immutable (int,
#: float, bool, None, date, datetime); a scalar with a problem to report is never remembered.
#: Bounded, and short texts only.
_BUILT: dict[tuple[str, str], Any] = {}
_BUILT_MAX: Final = 65536
_UNSEEN: Final = object()


class _Abort(Exception):
    def __init__(self, problem: LoadProblem) -> None:
        self.problem = problem


#: what read_text opens a file with (see there)
_OPEN_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_text(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str | None, LoadProblem | None]:
    """Read ``path`` as UTF-8 text, refusing what is too large, binary or not UTF-8.

    One ``open`` and one ``fstat`` per file (a third of the time of stat-then-open on a class's
    worth of files); ``O_NONBLOCK`` so that a named pipe is refused, never waited on.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        what = "folder" if os.path.isdir(path) else "file"
        return None, LoadProblem(rules.UNREADABLE_FILE, f"cannot read {what}: {exc.strerror or exc}")
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):  # a folder the walk could not enter (see iter_files)
            try:
                os.listdir(path)  # gives the reason, e.g. PermissionError
            except OSError as exc:
                return None, LoadProblem(rules.UNREADABLE_FILE, f"cannot read folder: {exc.strerror or exc}")
            return None, LoadProblem(rules.UNREADABLE_FILE, "cannot read folder")
        if not stat.S_ISREG(st.st_mode):
            # a named pipe or device would block or never end: refused, not read
            return None, LoadProblem(rules.UNREADABLE_FILE, "not a regular file (a pipe, socket or device): "
                                     "not read")
        if st.st_size > max_bytes:
            return None, LoadProblem(
                rules.UNREADABLE_FILE,
                f"file is {st.st_size} bytes, over the limit of {max_bytes} bytes",
                suggestion="raise the limit with --max-file-size if this file is meant to be this big",
            )
        chunks = []
        left = max_bytes + 1  # a file growing while read is still cut at the limit
        while left > 0:
            want = min(left, max(st.st_size + 1, 65536))
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            if len(chunks) == 1 and len(chunk) == st.st_size < want:
                # the whole file as its size says, in one read: no second read to learn that
                # it ends (one system call a file less; speed round 2). Files that read short
                # before their end (procfs, some network file systems) or report no size are
                # read on until a read returns nothing.
                break
        raw = b"".join(chunks)
    except OSError as exc:
        return None, LoadProblem(rules.UNREADABLE_FILE, f"cannot read file: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        return None, LoadProblem(rules.UNREADABLE_FILE, f"file is over the limit of {max_bytes} bytes",
                                 suggestion="raise the limit with --max-file-size")
    return decode(raw)


_OTHER_BOMS: Final = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def decode(raw: bytes) -> tuple[str | None, LoadProblem | None]:
    """Bytes to text: a UTF-8 BOM is dropped, NUL bytes mean binary, anything else must be UTF-8."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    # UTF-32 first: its little-endian BOM starts like UTF-16's. Every BOM starts with one of
    # three bytes, tested first: reading 4.7 -> 3.8 us per file with _OPEN_FLAGS computed
    # once (speed round 2).
    for bom, name in _OTHER_BOMS if raw[:1] in b"\xff\xfe\x00" else ():
        if raw.startswith(bom):
            return None, LoadProblem(rules.UNREADABLE_FILE, f"file is {name} text; mesosim reads UTF-8 only",
                                     suggestion="save the file as UTF-8")
    if b"\x00" in raw[:8192]:
        return None, LoadProblem(rules.UNREADABLE_FILE,
                                 "file looks binary (it contains NUL bytes), not YAML or JSON",
                                 suggestion="if it is UTF-16 or UTF-32 text, save it as UTF-8")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, LoadProblem(
            rules.UNREADABLE_FILE,
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            (line, col),
            suggestion="save the file as UTF-8",
        )


def load_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read and parse one protocol file. Never raises for bad content."""
    text, problem = read_text(path, max_bytes)
    if text is None:
        assert problem is not None
        return Document(path, None, problems=(problem,))
    return load_text(text, path)


def load_text(text: str, path: str = "<string>") -> Document:
    """Parse ``text`` (YAML, or JSON when ``path`` ends in ``.json``)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    source = text
    if path.lower().endswith(".json"):
        problem = _json_problem(text)
        if problem is not None:
            return Document(path, None, problems=(problem,), text=text)
        source = _astral_escapes(text)
    try:
        if len(source) > _PRESCAN_BYTES:
            too_many = _count_nodes(source)
            if too_many is not None:
                return Document(path, None, problems=(too_many,), text=text)
        node = _compose(source)
    except yaml.MarkedYAMLError as exc:
        return Document(path, None, problems=(_yaml_problem(exc, text),), text=text)
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: no mark, but a position
        return Document(path, None, problems=(_reader_problem(exc, text),), text=text)
    except yaml.YAMLError as exc:  # any other error without a mark
        return Document(path, None, problems=(LoadProblem(rules.SYNTAX_ERROR, str(exc)),), text=text)
    except RecursionError:
        return Document(path, None, problems=(_too_deep((1, 1)),), text=text)
    if node is None:
        return Document(
            path,
            None,
            problems=(LoadProblem(rules.NOT_A_PROTOCOL, "file is empty (or holds only comments): expected a "
                                  "protocol mapping starting with 'mesosim: 1'"),),
            text=text,
        )
    if isinstance(node, yaml.ScalarNode) and node.tag == _STD + "null":
        # `null`, `~` or a bare `---`: without this the file would pass with no finding at all
        return Document(path, None, problems=(LoadProblem(
            rules.NOT_A_PROTOCOL, "the top level is null (nothing): expected a protocol mapping starting "
            "with 'mesosim: 1'", _mark(node)),), text=text)
    json_mode = path.lower().endswith(".json")
    builder = _Builder(json_mode=json_mode)
    try:
        data = builder.build(node, 0)
    except _Abort as abort:
        return Document(path, None, problems=(*builder.problems, abort.problem), text=text)
    return Document(path, data, problems=tuple(builder.problems), text=text,
                    locator=_Locator(node, json_mode))


#: above this size a text's nodes are counted from the parser's events before any node is
#: built: a 4 MiB flow list composed 2 million nodes (634 MB) before the builder's count
#: refused it. Below it, composing is cheaper than counting and bounded by the size.
_PRESCAN_BYTES: Final = 256 * 1024


def _count_nodes(source: str) -> LoadProblem | None:
    """MS005 when ``source`` holds more than :data:`MAX_NODES` nodes, counted on the parser's
    event stream in constant memory (each event is dropped once counted); else ``None``."""
    count = 0
    nodes = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent,
             yaml.AliasEvent)
    for event in yaml.parse(source, Loader=_Loader):
        if isinstance(event, nodes):
            count += 1
            if count > MAX_NODES:
                mark = event.start_mark
                pos = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                return LoadProblem(
                    rules.DOCUMENT_TOO_LARGE,
                    f"document holds more than {MAX_NODES} nodes: refused to protect time and "
                    "memory", pos,
                    suggestion="a protocol holds a few hundred values; split the file")
    return None


def _json_problem(text: str) -> LoadProblem | None:
    """JSON files are checked by the JSON parser first, so its (stricter) errors are the ones shown."""
    import json  # only for JSON protocols: a YAML-only run does not pay its import

    try:
        # Only the syntax matters here: numbers are not converted, so a 5,000-digit integer
        # cannot hit int()'s digit limit (a ValueError, not a JSONDecodeError).
        json.loads(text, object_pairs_hook=lambda pairs: None, parse_int=len, parse_float=len,
                   parse_constant=len)
    except json.JSONDecodeError as exc:
        return LoadProblem(rules.SYNTAX_ERROR, f"JSON syntax error: {exc.msg}", (exc.lineno, exc.colno))
    except RecursionError:
        return _too_deep((1, 1))
    return None


_SURROGATE_PAIR: Final = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})",
                                    re.IGNORECASE)


def _astral_escapes(text: str) -> str:
    r"""JSON writes a character beyond U+FFFF as a surrogate pair (``\ud83d\ude00``, what
    ``json.dumps`` does for an emoji), which libyaml refuses: rewrite each pair as the YAML
    escape ``\U0001f600``. Columns after it on that line shift left by two."""
    if "\\u" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = 0x10000 + ((int(m.group(2), 16) - 0xD800) << 10) + int(m.group(3), 16) - 0xDC00
        return f"{m.group(1)}\\U{code:08x}"

    return _SURROGATE_PAIR.sub(one, text)


def _reader_problem(exc: yaml.reader.ReaderError, text: str) -> LoadProblem:
    """A character YAML does not allow (a control character...), located from its offset."""
    at = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    what = f"character U+{ord(text[at]):04X}" if at < len(text) else "a character"
    return LoadProblem(rules.SYNTAX_ERROR, f"YAML syntax error: {what} is not allowed in YAML ({exc.reason})",
                       (line, col),
                       suggestion="remove the character, or write it as an escape in a "
                       "double-quoted string")


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> LoadProblem:
    mark = exc.problem_mark or exc.context_mark
    pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = exc.problem or "syntax error"
    if exc.context:
        what = f"{what} ({exc.context})"
    suggestion = None
    lines = text.splitlines()
    line = lines[pos[0] - 1] if 0 < pos[0] <= len(lines) else ""
    if "\t" in line or "found character '\\t'" in what:
        suggestion = "YAML indentation must use spaces, not tabs"
    elif "expected a single document" in what:
        what = "file holds several YAML documents ('---'); a protocol file holds exactly one"
        suggestion = "split the documents into separate files"
    elif "mapping values are not allowed" in what:
        suggestion = "check the indentation of this line, or quote a value that contains ': '"
    elif "could not find expected ':'" in what or "while scanning a simple key" in what:
        suggestion = "a key needs ': ' after it; check the indentation of the lines above"
    elif "while scanning a quoted scalar" in what or "found unexpected end of stream" in what:
        suggestion = "a quote or bracket is not closed"
    elif "did not find expected" in what:
        suggestion = "check the indentation, and that every bracket is closed"
    if "exceeded maximum nesting depth" in what:  # libyaml's own bound (1000 levels)
        return LoadProblem(rules.DOCUMENT_TOO_LARGE, f"document is nested too deeply ({what})", pos,
                           "a protocol is a few levels deep; check the brackets")
    return LoadProblem(rules.SYNTAX_ERROR, f"YAML syntax error: {what}", pos, suggestion)


def _too_deep(pos: Pos) -> LoadProblem:
    return LoadProblem(rules.DOCUMENT_TOO_LARGE, f"document is nested more than {MAX_DEPTH} levels deep", pos)


def _mark(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Walks the composed node graph into plain values, counting nodes and recording problems.

    Positions are not recorded here: :class:`_Locator` finds a value's node when a finding
    asks for its place. Recording a position for every node took half of this walk, for
    documents most of which get no finding: the walk 50 -> 23 us per protocol (speed round 2,
    process time, 2,000 protocols composed once and walked three times each way).
    """

    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self.problems: list[LoadProblem] = []
        self.count = 0
        self._constructor = yaml.constructor.SafeConstructor()

    _construct: Final = {
        _STD + "int": yaml.constructor.SafeConstructor.construct_yaml_int,
        _STD + "float": yaml.constructor.SafeConstructor.construct_yaml_float,
        _STD + "bool": yaml.constructor.SafeConstructor.construct_yaml_bool,
        _STD + "null": yaml.constructor.SafeConstructor.construct_yaml_null,
        _STD + "timestamp": yaml.constructor.SafeConstructor.construct_yaml_timestamp,
    }

    def build(self, node: yaml.Node, depth: int) -> Any:
        """The value of ``node`` (``depth`` levels down), counted."""
        self.count += 1
        if self.count > MAX_NODES:
            raise self._too_many(node)
        if depth > MAX_DEPTH:
            raise _Abort(_too_deep(_mark(node)))
        return self._value(node, depth)

    # The hot path of every check: type tests by identity, tags compared inline. A container
    # counts its children itself (what `build` does for the top node), and a child that is a
    # plain string, most of them, is taken without a call: the walk went from 40 -> 36 us per
    # protocol (speed round 2).

    def _value(self, node: yaml.Node, depth: int) -> Any:
        """The value of ``node``, once counted."""
        kind = type(node)
        if kind is _MappingNode:
            return self._mapping(node, depth)  # type: ignore[arg-type]
        if kind is _SequenceNode:
            return self._sequence(node, depth)  # type: ignore[arg-type]
        if node.tag == _STR:
            if self.json_mode and not getattr(node, "style", None) and _JSON_NUMBER.match(node.value):
                # JSON's own number (6e0, 1E+2): YAML 1.1 reads it as text (hostile input)
                number = float(node.value)
                return int(number) if number.is_integer() and "e" not in node.value.lower() \
                    and "." not in node.value else number
            return node.value
        return self._scalar(node)

    def _too_many(self, node: yaml.Node) -> _Abort:
        return _Abort(LoadProblem(
            rules.DOCUMENT_TOO_LARGE,
            f"document expands to more than {MAX_NODES} nodes (aliases included): refused "
            "to protect time and memory",
            _mark(node),
            suggestion="a protocol needs no anchors or aliases; write the values out",
        ))

    def _tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise _Abort(LoadProblem(
                rules.UNSAFE_TAG,
                f"YAML tag '{node.tag}' is not allowed: mesosim never constructs objects from "
                "tags",
                _mark(node),
                suggestion="remove the tag",
            ))

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> list[Any]:
        if node.tag != _SEQ:
            self._tag(node, _SEQ)
        out: list[Any] = []
        # what `build` does for each item, inline (see above)
        too_deep = depth >= MAX_DEPTH  # the items are one level deeper
        plain = not self.json_mode  # in JSON a string may be a number
        count = self.count  # kept in a local, written back around each call that counts too
        for item in node.value:
            count += 1
            if count > MAX_NODES:
                raise self._too_many(item)
            if too_deep:
                raise _Abort(_too_deep(_mark(item)))
            if item.tag == _STR and plain and type(item) is _ScalarNode:
                out.append(item.value)
            else:
                self.count = count
                out.append(self._value(item, depth + 1))
                count = self.count
        self.count = count
        return out

    def _key(self, knode: yaml.Node) -> str:
        """A mapping key that is not a plain string, as text (``1``, ``true``); refused when
        it is a merge key, a list or a mapping."""
        if knode.tag == _STD + "merge":
            raise _Abort(LoadProblem(rules.UNSAFE_TAG, "YAML merge keys ('<<') are not supported "
                                     "in protocols", _mark(knode),
                                     suggestion="write the keys out"))
        if not isinstance(knode, yaml.ScalarNode):
            raise _Abort(LoadProblem(rules.WRONG_TYPE, "a mapping key must be a plain name, not "
                                     "a list or mapping", _mark(knode)))
        key = self._scalar(knode)
        if not isinstance(key, str):
            key = str(key).lower() if isinstance(key, bool) else str(key)
        return key  # type: ignore[no-any-return]

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[Any, Any]:
        if node.tag != _MAP:
            self._tag(node, _MAP)
        out: dict[Any, Any] = {}
        # what `build` does for each value, inline (see above)
        too_deep = depth >= MAX_DEPTH  # the values are one level deeper
        plain = not self.json_mode  # in JSON a string may be a number
        count = self.count  # kept in a local, written back around each call that counts too
        firsts = None  # each key's first entry, made at the first repeated key
        for knode, vnode in node.value:
            if knode.tag == _STR and type(knode) is _ScalarNode:
                key = knode.value
            else:
                key = self._key(knode)
            if key in out:
                if firsts is None:
                    firsts = _first_entries(node, self.json_mode)
                first = _mark(firsts[key][0])
                self.problems.append(LoadProblem(
                    rules.DUPLICATE_KEY,
                    f"duplicate key '{key}' (first at line {first[0]}); YAML keeps only the "
                    "last one, so the first value would be silently lost",
                    _mark(knode),
                    suggestion=f"remove one of the two '{key}' entries",
                ))
                count += 1
                continue
            count += 1
            if count > MAX_NODES:
                raise self._too_many(vnode)
            if too_deep:
                raise _Abort(_too_deep(_mark(vnode)))
            if vnode.tag == _STR and plain and type(vnode) is _ScalarNode:
                out[key] = vnode.value
            else:
                self.count = count
                out[key] = self._value(vnode, depth + 1)
                count = self.count
        self.count = count
        return out

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self._tag(node, _STD + "str")
        if tag == _STD + "str":
            return node.value
        value = _BUILT.get((tag, node.value), _UNSEEN)
        if value is not _UNSEEN:
            return value
        if tag == _STD + "null" and node.value not in _NULLS:
            return self._misfit(node)  # `!!null x` would silently drop the value
        if tag == _STD + "int" and not getattr(node, "style", None) \
                and _SURPRISING_INT.match(node.value):
            self._surprising_int(node)
        try:
            # the constructor's method for the tag, called directly (construct_object's
            # bookkeeping is for documents with anchors, which scalars here never need)
            value = self._construct[tag](self._constructor, node)  # type: ignore[arg-type]
            if isinstance(value, int) and not isinstance(value, bool):
                # `0xfff...` (4,000 digits) builds an int that str() and float() refuse with a
                # ValueError/OverflowError far downstream; beyond a float it is read as
                # infinity, which every check refuses as not finite (hostile-input issue).
                try:
                    float(value)
                except OverflowError:
                    return -math.inf if value < 0 else math.inf
            if len(_BUILT) < _BUILT_MAX and len(node.value) <= 64 \
                    and not (tag == _STD + "int" and _SURPRISING_INT.match(node.value)):
                _BUILT[tag, node.value] = value  # never one that has a problem to report
            return value
        except Exception:  # noqa: BLE001 - PyYAML's constructors raise KeyError, IndexError...
            if _implicit_tag(node.value) != tag:
                # an explicit tag the value does not fit (`!!bool maybe`, `!!int ""`): the
                # constructors fail with KeyError, IndexError or AttributeError (hostile input,
                # round 2), so the tag is reported and the value kept as written
                return self._misfit(node)
            if tag == _STD + "int":  # over int()'s 4,300-digit limit: as large as above
                return -math.inf if node.value.startswith("-") else math.inf
            # A date that does not exist (2026-02-30) stays the text written: where a date is
            # expected the model reports it (MS106) and checks the rest of the file; elsewhere
            # (an id, a note) it is just text.
            return node.value

    def _surprising_int(self, node: yaml.Node) -> None:
        """``010`` is 8 and ``1:30`` is 90 in YAML 1.1: say so, once, where it is written."""
        text = node.value
        try:
            value = self._construct[_STD + "int"](self._constructor, node)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - reported by _scalar as for any other value
            return
        why = "a leading 0 makes it octal" if ":" not in text else "YAML 1.1 reads a:b as base 60"
        try:
            shown = f"{value}" if len(text) < 1000 else "a number too long to show"
        except ValueError:  # over int()'s 4,300 digits
            shown = "a number too long to show"
        if len(text) > 40:
            text = text[:37] + "..."
        plain = text.lstrip("+-").lstrip("0") or "0"
        hint = f"write {plain}" if ":" not in text else \
            f"quote it ('{text}') if it is text, or write one number with its unit"
        self.problems.append(LoadProblem(
            rules.BAD_VALUE, f"'{text}' is read as {shown}: {why}", _mark(node), suggestion=hint))

    def _misfit(self, node: yaml.Node) -> str:
        """Report an explicit tag whose type rejects the value; the value stays text."""
        short = node.tag.replace(_STD, "!!")
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        what = {"bool": "true or false", "int": "a whole number", "float": "a number",
                "timestamp": "a date", "null": "nothing (null)"}.get(short[2:], short)
        self.problems.append(LoadProblem(
            rules.WRONG_TYPE, f"the YAML tag '{short}' asks for {what}, but the value "
            f"{shown!r} is not", _mark(node),
            suggestion="remove the tag, or write a value of that type"))
        return str(node.value)


class _Locator:
    """Where a value of a loaded document is written, found in its composed nodes when a
    finding asks (:meth:`mesosim.document.Document.pos`), by following the value's path from
    the top: a mapping's first entry of that key (the one the data keeps), a list's item.

    The same answers as positions recorded for every node while reading, which the loader did
    before (the gallery's every finding is checked against them in the tests), for a fraction
    of the documents: most get no finding. A mapping's entries are indexed by key the first
    time a path goes through it, so that a file of many findings costs what recording every
    position cost, never a scan per finding. Positions go 11 levels down; a deeper path is
    placed at its ancestor 11 levels down, as before.
    """

    __slots__ = ("_index", "json_mode", "root")

    #: deepest path that has a position of its own
    DEPTH: Final = 11

    def __init__(self, root: yaml.Node, json_mode: bool) -> None:
        self.root = root
        self.json_mode = json_mode
        #: id of a mapping node (kept alive by ``root``) -> its entries by key
        self._index: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def _step(self, node: yaml.Node, step: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
        kind = type(node)
        if kind is _MappingNode:
            entries = self._index.get(id(node))
            if entries is None:
                entries = self._index[id(node)] = _first_entries(node, self.json_mode)  # type: ignore[arg-type]
            return entries.get(step)
        if kind is _SequenceNode and type(step) is int and 0 <= step < len(node.value):
            return None, node.value[step]
        return None

    def pos(self, path: Path) -> Pos:
        """The place of the value at ``path``, or of its nearest ancestor in the file."""
        node = self.root
        for step in path[: self.DEPTH]:
            found = self._step(node, step)
            if found is None:
                break
            node = found[1]
        return _mark(node)

    def key_pos(self, path: Path) -> Pos | None:
        """The place of the key that introduces ``path``, or ``None`` when none does."""
        node = self.root
        knode = None
        for step in path:
            found = self._step(node, step)
            if found is None:
                return None
            knode, node = found
        return _mark(knode) if knode is not None else None


def _first_entries(node: yaml.MappingNode, json_mode: bool) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
    """Each key of mapping ``node`` (as the data reads it) -> its first ``(key node, value
    node)``: the entry the data keeps. A key the loader refuses is left out."""
    out: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
    reader = None
    for knode, vnode in node.value:
        if knode.tag == _STR and type(knode) is _ScalarNode:
            key = knode.value
        else:
            if reader is None:
                reader = _Builder(json_mode)
            try:
                key = reader._key(knode)
            except Exception:  # noqa: BLE001, S112 - a key the loader refused is no entry
                continue
        if key not in out:
            out[key] = (knode, vnode)
    return out


_NULLS: Final = frozenset(("", "~", "null", "Null", "NULL"))
#: JSON's number grammar (RFC 8259)
_JSON_NUMBER: Final = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?\Z")
#: YAML 1.1 integers that do not mean what they seem: octal (010) and base 60 (1:30)
_SURPRISING_INT: Final = re.compile(r"[-+]?(0[0-7]+|[1-9][0-9_]*(:[0-5]?[0-9])+)\Z")


@functools.lru_cache(maxsize=4096)
def _implicit_tag(value: str) -> str:
    """The tag YAML gives ``value`` written plain (untagged)."""
    return str(yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False)))


def iter_files(paths: list[str], exclude: tuple[str, ...] = ()) -> Iterator[str]:
    """Protocol files under ``paths``: files as given, directories walked for ``*.yaml``,
    ``*.yml`` and ``*.json``, sorted, following no symlink into a directory seen before."""
    suffixes = (".yaml", ".yml", ".json")
    seen: set[tuple[int, int]] = set()

    def excluded(p: str) -> bool:
        if not exclude:  # fnmatch imported only for patterns
            return False
        import fnmatch

        return any(fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(os.path.basename(p), pat)
                   for pat in exclude)

    for top in paths:
        if not os.path.isdir(top):
            if not excluded(top):
                yield top
            continue
        found: list[str] = []
        # a folder that cannot be listed is reported (MS003 on the folder), not silently skipped
        unlisted: list[OSError] = []
        for root, dirs, files in os.walk(top, onerror=unlisted.append, followlinks=True):
            try:
                st = os.stat(root)
            except OSError:
                dirs[:] = []
                continue
            if (st.st_dev, st.st_ino) in seen:  # a symlink loop, or a tree reached twice
                dirs[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.lower().endswith(suffixes) and not name.startswith("."):
                    p = os.path.join(root, name)
                    if not excluded(p):
                        found.append(p)
        found.extend(e.filename for e in unlisted if e.filename and not excluded(e.filename))
        yield from sorted(found)


def to_date(value: Any) -> _dt.date | None:
    """A YAML date, or an ISO string (JSON has no date type); ``None`` if neither."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
