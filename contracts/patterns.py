"""ECMA-262 regular expressions (JSON Schema `pattern`, `patternProperties`) matched in bounded time."""

from __future__ import annotations

import contextlib
import functools
import re
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

import re2
import regex

from contracts.errors import ContractsError

# What the backtracking engine may spend, in total, on the matches of one validation (or one
# counterexample search, or one compatibility check). Only patterns RE2 cannot run (backreferences,
# lookaround) ever spend from it: RE2 matches in time linear in the string.
PATTERN_BUDGET_SECONDS = 0.25

Engine = Literal["re2", "backtracking"]

# ECMA-262 WhiteSpace and LineTerminator: what `\s` matches (wider than RE2's and Python's `\s`).
_WHITESPACE = (
    0x09,
    0x0A,
    0x0B,
    0x0C,
    0x0D,
    0x20,
    0xA0,
    0x1680,
    *range(0x2000, 0x200B),
    0x2028,
    0x2029,
    0x202F,
    0x205F,
    0x3000,
    0xFEFF,
)
# ECMA-262 LineTerminator: what `.` does not match.
_LINE_TERMINATORS = (0x0A, 0x0D, 0x2028, 0x2029)
_QUANTIFIER = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
_GROUP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_HEX = frozenset("0123456789abcdefABCDEF")
_CONTROL_ESCAPES = {"t": 0x09, "n": 0x0A, "v": 0x0B, "f": 0x0C, "r": 0x0D}


class InvalidPattern(ValueError):
    """A pattern that is not an ECMA-262 regular expression Accord can run; says why."""


class PatternNotEvaluated(ContractsError):
    """A pattern that could not be matched against a value: the value is refused, never accepted."""

    def __init__(self, pattern: str, text: str, why: str) -> None:
        self.pattern = pattern
        self.text = text
        super().__init__(
            f"the pattern {pattern!r} could not be evaluated: {why}; the value is refused"
        )


class PatternBudgetExceeded(PatternNotEvaluated):
    """A backtracking match that did not finish within the pattern budget."""

    def __init__(self, pattern: str, text: str) -> None:
        super().__init__(
            pattern,
            text,
            f"matching it against a string of {len(text)} characters did not finish within its "
            f"budget of {PATTERN_BUDGET_SECONDS} s",
        )


@dataclass
class _Budget:
    remaining: float
    failed: bool = False  # some pattern in the block could not be evaluated


_BUDGET: ContextVar[_Budget | None] = ContextVar("accord_pattern_budget", default=None)


@contextlib.contextmanager
def budget() -> Iterator[None]:
    """Share one PATTERN_BUDGET_SECONDS between every backtracking match inside the block.

    Nested blocks share the outermost one, so a validation inside a counterexample search spends
    from the search's budget. Outside any block, each match has a budget of its own.
    """
    if _BUDGET.get() is not None:
        yield
        return
    token = _BUDGET.set(_Budget(PATTERN_BUDGET_SECONDS))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def failed() -> bool:
    """Whether a pattern could not be evaluated inside the current `budget()` block.

    For callers whose engine turns an exception into a verdict (jsonschema_rs reads a failing
    keyword as "invalid", which `not` turns into "valid"): such a verdict must not be trusted.
    """
    shared = _BUDGET.get()
    return shared is not None and shared.failed


def _refuse(error: PatternNotEvaluated) -> PatternNotEvaluated:
    shared = _BUDGET.get()
    if shared is not None:
        shared.failed = True
    return error


class Pattern:
    """One compiled pattern; build it with `compile_pattern` (cached), not directly."""

    __slots__ = ("_backtracking", "_re2", "engine", "source")

    def __init__(
        self, source: str, *, engines: tuple[Engine, ...] = ("re2", "backtracking")
    ) -> None:
        """Compile with the first of `engines` that runs `source` (tests pass one to compare them)."""
        self.source = source
        self._re2: re2._Regexp | None = None
        self._backtracking: regex.Pattern[str] | None = None
        refusals: list[str] = []
        if "re2" in engines:
            try:
                self._re2 = re2.compile(_Translator(source, "re2").translate(), _RE2_OPTIONS)
                self.engine: Engine = "re2"
                return
            except re2.error as exc:
                refusals.append(f"RE2: {exc.args[0].decode() if exc.args else exc}")
        if "backtracking" in engines:
            try:
                self._backtracking = regex.compile(
                    _Translator(source, "backtracking").translate(), regex.ASCII | regex.VERSION0
                )
                self.engine = "backtracking"
                return
            except (regex.error, OverflowError, RecursionError) as exc:
                refusals.append(f"the backtracking engine: {exc}")
        raise InvalidPattern("no engine can run it (" + "; ".join(refusals) + ")")

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in `text` (JSON Schema's unanchored semantics).

        Raises PatternBudgetExceeded when the backtracking engine runs out of budget.
        """
        if self._re2 is not None:
            try:
                return self._re2.search(text) is not None
            except UnicodeEncodeError:
                # RE2 reads UTF-8, which cannot hold a lone surrogate: it stands as U+FFFD there.
                return self._re2.search(_LONE_SURROGATE.sub("\ufffd", text)) is not None
        assert self._backtracking is not None
        shared = _BUDGET.get()
        allowed = PATTERN_BUDGET_SECONDS if shared is None else shared.remaining
        if allowed <= 0:
            raise _refuse(PatternBudgetExceeded(self.source, text))
        start = time.monotonic()
        try:
            # concurrent: the GIL is released while matching, so the server stays responsive.
            found = self._backtracking.search(text, timeout=allowed, concurrent=True)
        except TimeoutError:
            if shared is not None:
                shared.remaining = 0
            raise _refuse(PatternBudgetExceeded(self.source, text)) from None
        if shared is not None:
            shared.remaining -= time.monotonic() - start
        return found is not None


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported by its exception, not on stderr
    return options


_RE2_OPTIONS = _re2_options()


@functools.lru_cache(maxsize=4096)
def compile_pattern(source: str) -> Pattern:
    """The compiled pattern, once per distinct source; InvalidPattern when neither engine runs it."""
    return Pattern(source)


def search(source: str, text: str) -> bool:
    """Whether `source` matches anywhere in `text`; PatternNotEvaluated when that is unknowable.

    A pattern that does not compile only reaches here from a place `parse` does not check (a
    `$ref` into a non-schema keyword): it is refused like a pattern out of budget.
    """
    try:
        compiled = compile_pattern(source)
    except InvalidPattern as exc:
        raise _refuse(
            PatternNotEvaluated(source, text, f"it is not a usable regular expression ({exc})")
        ) from None
    return compiled.search(text)


class _Translator:
    """ECMA-262 pattern syntax (with Annex B's lenient literals) to RE2's or `regex`'s.

    Both targets are given ECMA's meaning: `\\d`, `\\w`, `\\b` are ASCII (RE2 is; `regex` is
    compiled with ASCII), `\\s` is ECMA's whitespace, `.` excludes ECMA's line terminators, `$` is
    the end of the input only. `\\p{...}` is a Unicode property (as with ECMA's `u` flag).
    """

    def __init__(self, source: str, target: Literal["re2", "backtracking"]) -> None:
        self.source = source
        self.target = target
        self.pos = 0
        self.out: list[str] = []
        self.groups, self.names = _capturing_groups(source)

    def fail(self, why: str) -> InvalidPattern:
        return InvalidPattern(f"{why} at position {self.pos}")

    def char(self, code: int) -> str:
        """One code point as a literal of the target dialect."""
        ch = chr(code)
        if ch.isascii() and (ch.isalnum() or ch == "_"):
            return ch
        if self.target == "re2":
            return f"\\x{{{code:X}}}"
        return f"\\U{code:08X}"

    def cls(self, codes: tuple[int, ...], negate: bool) -> str:
        """A class of `codes`; with no codes, every character (negate=False means: none)."""
        if not codes:
            every = self.char(0) + "-" + self.char(0x10FFFF)
            return f"[{'^' if not negate else ''}{every}]"
        return "[" + ("^" if negate else "") + "".join(self.char(c) for c in codes) + "]"

    def translate(self) -> str:
        src = self.source
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "\\":
                self.out.append(self.escape(in_class=False))
            elif ch == "[":
                self.out.append(self.char_class())
            elif ch == ".":
                self.pos += 1
                self.out.append(self.cls(_LINE_TERMINATORS, negate=True))
            elif ch == "$":
                self.pos += 1
                self.out.append(r"\z" if self.target == "re2" else r"\Z")
            elif ch == "(":
                self.out.append(self.group())
            elif ch == "{":
                quantifier = _QUANTIFIER.match(src, self.pos)
                if quantifier is None:  # Annex B: a brace that starts no quantifier is literal
                    self.pos += 1
                    self.out.append(r"\{")
                else:
                    self.pos = quantifier.end()
                    self.out.append(quantifier.group())
            elif ch in "}]":
                self.pos += 1
                self.out.append("\\" + ch)
            elif ch in "^|)*+?":
                self.pos += 1
                self.out.append(ch)
            else:
                self.pos += 1
                self.out.append(self.char(ord(ch)))
        return "".join(self.out)

    def group(self) -> str:
        src = self.source
        rest = src[self.pos + 1 :]
        for opening in ("?:", "?=", "?!", "?<=", "?<!"):
            if rest.startswith(opening):
                self.pos += 1 + len(opening)
                return "(" + opening
        if rest.startswith("?<"):
            name = _GROUP_NAME.match(rest, 2)
            if name is None or rest[name.end() : name.end() + 1] != ">":
                raise self.fail("a group name must be an identifier closed by '>'")
            self.pos += 1 + name.end() + 1
            return f"(?P<{name.group()}>"
        if rest.startswith("?"):
            raise self.fail("'(?' starts no ECMA-262 group (inline flags are not ECMA-262)")
        self.pos += 1
        return "("

    def escape(self, *, in_class: bool) -> str:
        """The escape at `self.pos` (a backslash), translated; advances past it."""
        src = self.source
        if self.pos + 1 >= len(src):
            raise self.fail("the pattern ends with a lone backslash")
        ch = src[self.pos + 1]
        self.pos += 2
        if ch in "dDwW":
            return "\\" + ch
        if ch == "s":
            return (
                "".join(self.char(c) for c in _WHITESPACE)
                if in_class
                else self.cls(_WHITESPACE, False)
            )
        if ch == "S":
            if in_class:
                raise _NegatedWhitespace
            return self.cls(_WHITESPACE, negate=True)
        if ch == "b":
            return self.char(0x08) if in_class else r"\b"
        if ch == "B":
            if in_class:
                raise self.fail(r"\B is not allowed in a character class")
            return r"\B"
        if ch in _CONTROL_ESCAPES:
            return self.char(_CONTROL_ESCAPES[ch])
        if ch == "0" and not src[self.pos : self.pos + 1].isdigit():
            return self.char(0)
        if ch.isdigit():
            return self.backreference(ch, in_class)
        if ch == "k" and self.names and not in_class:
            name = _GROUP_NAME.match(src, self.pos + 1)
            if (
                src[self.pos : self.pos + 1] != "<"
                or name is None
                or src[name.end() : name.end() + 1] != ">"
            ):
                raise self.fail(r"\k must name a group as \k<name>")
            if name.group() not in self.names:
                raise self.fail(f"\\k<{name.group()}> names no group")
            self.pos = name.end() + 1
            return f"(?P={name.group()})"
        if ch == "x" and len(src) >= self.pos + 2 and set(src[self.pos : self.pos + 2]) <= _HEX:
            self.pos += 2
            return self.char(int(src[self.pos - 2 : self.pos], 16))
        if ch == "u":
            return self.char(self.unicode_escape())
        if ch == "c":
            letter = src[self.pos : self.pos + 1]
            if not (letter.isascii() and letter.isalpha()):
                raise self.fail(r"\c must be followed by a letter")
            self.pos += 1
            return self.char(ord(letter) % 32)
        if ch in "pP" and src[self.pos : self.pos + 1] == "{":
            end = src.find("}", self.pos)
            if end < 0:
                raise self.fail(f"\\{ch}{{ is not closed")
            prop = src[self.pos + 1 : end]
            if not re.fullmatch(r"[A-Za-z_]+", prop):
                raise self.fail(f"\\{ch}{{{prop}}} is not a Unicode property Accord knows")
            self.pos = end + 1
            return f"\\{ch}{{{prop}}}"
        # Annex B identity escape: the character itself.
        return self.char(ord(ch))

    def unicode_escape(self) -> int:
        src = self.source
        if src[self.pos : self.pos + 1] == "{":
            end = src.find("}", self.pos)
            digits = src[self.pos + 1 : end] if end > 0 else ""
            if not digits or not set(digits) <= _HEX or int(digits, 16) > 0x10FFFF:
                raise self.fail(r"\u{...} must hold a code point in hexadecimal")
            self.pos = end + 1
            return int(digits, 16)
        digits = src[self.pos : self.pos + 4]
        if len(digits) < 4 or not set(digits) <= _HEX:
            raise self.fail(r"\u must be followed by four hexadecimal digits")
        self.pos += 4
        code = int(digits, 16)
        low = src[self.pos + 2 : self.pos + 6]
        if (
            0xD800 <= code <= 0xDBFF
            and src[self.pos : self.pos + 2] == "\\u"
            and len(low) == 4
            and set(low) <= _HEX
            and 0xDC00 <= int(low, 16) <= 0xDFFF
        ):
            self.pos += 6
            return 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
        return code

    def backreference(self, first: str, in_class: bool) -> str:
        src = self.source
        end = self.pos
        while end < len(src) and src[end].isdigit():
            end += 1
        number = int(first + src[self.pos : end])
        if in_class or number > self.groups:
            raise self.fail(f"\\{number} refers to no capturing group")
        self.pos = end
        return f"(?:\\{number})"

    def char_class(self) -> str:
        src = self.source
        self.pos += 1
        negate = src[self.pos : self.pos + 1] == "^"
        if negate:
            self.pos += 1
        items: list[str] = []
        any_non_whitespace = False
        while True:
            if self.pos >= len(src):
                raise self.fail("a character class is not closed")
            ch = src[self.pos]
            if ch == "]":
                self.pos += 1
                break
            if ch == "\\":
                try:
                    items.append(self.escape(in_class=True))
                except _NegatedWhitespace:
                    any_non_whitespace = True
            elif ch == "-":
                self.pos += 1
                items.append("-")
            else:
                self.pos += 1
                items.append(self.char(ord(ch)))
        if items and items[0] == "-":
            items[0] = self.char(ord("-"))
        if items and items[-1] == "-":
            items[-1] = self.char(ord("-"))
        if any_non_whitespace:
            # [x\S] is every character but the whitespace x leaves out: RE2 has no class union.
            inside = _whitespace_in(self.target, items)
            outside = tuple(c for c in _WHITESPACE if c not in inside)
            return self.cls(outside, negate=not negate)
        if not items:  # ECMA: [] matches nothing, [^] any character
            return self.cls((), negate=negate)
        return "[" + ("^" if negate else "") + "".join(items) + "]"


class _NegatedWhitespace(Exception):
    """`\\S` inside a character class: handled by the class, not as one item."""


def _whitespace_in(target: str, items: list[str]) -> set[int]:
    """The ECMA whitespace characters a class made of `items` (without `\\S`) contains."""
    if not items:
        return set()
    body = "[" + "".join(items) + "]"
    try:
        if target == "re2":
            compiled = re2.compile(body, _RE2_OPTIONS)
            return {c for c in _WHITESPACE if compiled.fullmatch(chr(c)) is not None}
        pattern = regex.compile(body, regex.ASCII | regex.VERSION0)
        return {c for c in _WHITESPACE if pattern.fullmatch(chr(c)) is not None}
    except (re2.error, regex.error) as exc:
        raise InvalidPattern(f"a character class is not valid: {exc}") from None


def _capturing_groups(source: str) -> tuple[int, frozenset[str]]:
    """How many capturing groups `source` opens, and their names (for backreferences)."""
    count = 0
    names: set[str] = set()
    pos = 0
    in_class = False
    while pos < len(source):
        ch = source[pos]
        if ch == "\\":
            pos += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            if not source.startswith("?", pos + 1):
                count += 1
            elif source.startswith("?<", pos + 1) and source[pos + 3 : pos + 4] not in ("=", "!"):
                count += 1
                name = _GROUP_NAME.match(source, pos + 3)
                if name is not None:
                    names.add(name.group())
        pos += 1
    return count, frozenset(names)
