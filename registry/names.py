"""The rules every name obeys (subject, consumer team, team, token id): one validator per kind."""

from __future__ import annotations

import re
import unicodedata

from registry.errors import InvalidConsumer, InvalidSubject, InvalidTeam, InvalidTokenId

# Names a team cannot take, whatever their case: `admin` is the admin's basic-auth user name,
# `anonymous` the caller while auth is off; both appear as actors in the audit log.
RESERVED_TEAM_NAMES = frozenset({"admin", "anonymous"})
MAX_TEAM_LENGTH = 255
MAX_CONSUMER_LENGTH = 255
# Team names travel as the user name of HTTP basic auth, so no colon, and in URLs, so no slash;
# ASCII only, so that no two team names look alike.
_TEAM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
# Token ids are what `registry.auth.issue_token` makes: 16 lowercase hex digits.
_TOKEN_ID = re.compile(r"[0-9a-f]{16}", re.ASCII)

# Categories no name may contain: controls (Cc), invisible format characters such as U+200B and
# the bidi overrides (Cf), line and paragraph separators (Zl, Zp), private use (Co), surrogates
# (Cs), and unassigned code points and non-characters (Cn).
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Co": "a private-use character",
    "Cs": "a surrogate",
    "Cn": "an unassigned code point or non-character",
}
REPLACEMENT_CHARACTER = "\ufffd"
# Dot segments are collapsed by clients and proxies, so such a name cannot be addressed reliably.
DOT_SEGMENTS = frozenset({".", ".."})


def _described(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be a name (saying which character, its code point and its position,
    counted from 1), or None. The rules shared by subjects and consumer teams."""
    if not text or not text.strip():
        return "must not be empty or blank"
    problem = _character_problem(text)
    if problem is not None:
        return problem
    if text[0].isspace() or text[-1].isspace():
        end, position = ("starts", 1) if text[0].isspace() else ("ends", len(text))
        return f"{end} with whitespace (at position {position})"
    if unicodedata.normalize("NFC", text) in DOT_SEGMENTS:
        return "is a dot segment ('.' or '..'), which clients and proxies collapse in URLs"
    return None


def _character_problem(text: str) -> str | None:
    for position, char in enumerate(text, start=1):
        category = unicodedata.category(char)
        what = _REFUSED_CATEGORIES.get(category)
        if what is None and char == REPLACEMENT_CHARACTER:
            what = "the replacement character (the trace of invalid UTF-8)"
        if what is None and category == "Zs" and char != " ":
            what = "a space other than U+0020"
        if what is not None:
            return f"contains {what}, {_described(char)}, at position {position}"
    return None


def subject(text: str, *, max_length: int | None = None) -> str:
    """The subject `text` names, in NFC (so NFC and NFD spellings address one subject); refused
    with InvalidSubject (42208) saying what is wrong and where. Reads pass no `max_length`: a
    longer name is simply not found."""
    problem = text_problem(text)
    if problem is not None:
        raise InvalidSubject(f"The subject name {problem}.")
    name = unicodedata.normalize("NFC", text)
    if max_length is not None and len(name) > max_length:
        raise InvalidSubject(
            f"The subject name is {len(name)} characters long; the limit is {max_length}."
        )
    return name


def subject_prefix(text: str) -> str:
    """A filter on the start of subject names (NFC): empty, or free of the characters no subject
    has (42208); it may end in a space, as a prefix of `a b` does."""
    problem = _character_problem(text)
    if problem is not None:
        raise InvalidSubject(f"The subject prefix {problem}.")
    return unicodedata.normalize("NFC", text)


def consumer(text: str) -> str:
    """A consumer team's name as a contract is filed under (NFC), or InvalidConsumer (42250)."""
    problem = text_problem(text)
    if problem is not None:
        raise InvalidConsumer(f"The consumer name {problem}.")
    name = unicodedata.normalize("NFC", text)
    if len(name) > MAX_CONSUMER_LENGTH:
        raise InvalidConsumer(
            f"The consumer name is {len(name)} characters long; the limit is {MAX_CONSUMER_LENGTH}."
        )
    return name


def team(text: str) -> str:
    """A team name as it may be looked up, or InvalidTeam (42270)."""
    if _TEAM_NAME.fullmatch(text) is None or len(text) > MAX_TEAM_LENGTH:
        raise InvalidTeam(
            f"A team name is 1 to {MAX_TEAM_LENGTH} ASCII letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (it is the user name of HTTP basic auth and a URL "
            f"segment); this one {_team_problem(text)}."
        )
    return text


def _team_problem(text: str) -> str:
    if not text:
        return "is empty"
    for position, char in enumerate(text, start=1):
        if not (char.isascii() and (char.isalnum() or char in "._-")):
            return f"has {_described(char)} at position {position}"
    if not text[0].isalnum():
        return f"starts with {text[0]!r}"
    return f"is {len(text)} characters long"


def new_team(text: str) -> str:
    """A name a new team may take: `team`'s rules, and none of the reserved names in any case."""
    name = team(text)
    if name.casefold() in RESERVED_TEAM_NAMES:
        raise InvalidTeam(
            f"'{name}' is reserved (without regard to case) and cannot be a team name."
        )
    return name


def token_id(text: str) -> str:
    """A token id as issued (16 lowercase hex digits), or InvalidTokenId (42271)."""
    if _TOKEN_ID.fullmatch(text) is None:
        raise InvalidTokenId(
            f"A token id is 16 lowercase hexadecimal digits, as issued; got {text!r}."
        )
    return text
