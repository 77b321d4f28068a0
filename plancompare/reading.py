"""Reading a plan's raw bytes into text: encodings detected or taken from the manifest."""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from charset_normalizer import from_bytes

# The first bytes of files that are often saved in place of a plan's text.
_BINARY_KINDS = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a Word (.docx) or other zip file"),
    (bytes.fromhex("d0cf11e0a1b11ae1"), "a Word (.doc) or Excel (.xls) file"),
    (b"{\\rtf", "an RTF file"),
    (bytes.fromhex("89504e47"), "a PNG image"),
    (bytes.fromhex("ffd8ff"), "a JPEG image"),
    (bytes.fromhex("1f8b"), "a gzip archive"),
)
# Sentence punctuation: a declared encoding that reads none of it, where detection does, is wrong.
_PUNCTUATION = "。！？；"

# Encodings tried in this order before falling back to detection: most plans are one of these.
_CANDIDATES = ("utf-8", "gb18030", "big5")


class InputError(Exception):
    """A problem with one plan's input, stated in one line that names the file or plan."""


@dataclass(frozen=True)
class RawText:
    """A decoded plan text with what is known about its bytes."""

    text: str
    encoding: str
    sha256: str
    n_bytes: int


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    return sha256_bytes(Path(path).read_bytes())


@lru_cache(maxsize=1)
def _strict_decode(data: bytes, encoding: str, path: Path, declared: bool = False) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(_decode_problem(path, encoding, exc, declared)) from None
    except LookupError:
        raise InputError(f"{path}: unknown encoding '{encoding}' in the manifest") from None


def _decode_problem(path: Path, encoding: str, exc: UnicodeDecodeError, declared: bool) -> str:
    """Return the one-line message for bytes that do not decode: file, encoding, byte offset."""
    said = " (the encoding the manifest gives)" if declared else ""
    where = f"byte offset {exc.start} (bytes {exc.object[exc.start : exc.start + 4].hex(' ')})"
    if exc.end >= len(exc.object) and exc.reason.startswith(("unexpected end", "incomplete")):
        where += ": the file ends in the middle of a character (truncated?)"
    return f"{path}: cannot be decoded as {encoding}{said} at {where}"


def _first_failure(data: bytes, encoding: str) -> UnicodeDecodeError | None:
    """Return the error of decoding data strictly with this encoding, or None when it decodes."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc
    return None


def _cjk_share(text: str) -> float:
    sample = text[:5000]
    if not sample:
        return 0.0
    return sum("\u4e00" <= ch <= "\u9fff" for ch in sample) / len(sample)


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding) for a file's bytes; raise InputError naming the file and offset."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict_decode(data[len(codecs.BOM_UTF8) :], "utf-8", path), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict_decode(data, "utf-16", path), "utf-16"
    if encoding:
        enc = _effective(encoding)
        return _strict_decode(data, enc, path, declared=True), enc

    decoded: list[tuple[str, str]] = []
    for enc in _CANDIDATES:
        try:
            decoded.append((data.decode(enc), enc))
        except UnicodeDecodeError:
            continue
    # Valid UTF-8 is almost never an accident; between GB18030 and Big5 prefer the one that
    # reads as more common Chinese text, and let charset-normalizer arbitrate a tie.
    if decoded and decoded[0][1] == "utf-8":
        return decoded[0]
    if len(decoded) == 1:
        return decoded[0]
    if decoded:
        best = from_bytes(data, cp_isolation=[e for _, e in decoded]).best()
        if best is not None:
            return str(best), best.encoding
        return max(decoded, key=lambda d: _cjk_share(d[0]))
    best = from_bytes(data).best()
    if best is not None and _cjk_share(str(best)) > 0.3:
        return str(best), best.encoding
    # Nothing fits: report the candidate that read furthest, the most useful offset to look at.
    errors = [e for e in (_first_failure(data, enc) for enc in _CANDIDATES) if e is not None]
    worst = max(errors, key=lambda e: e.start)
    tried = ", ".join(_CANDIDATES)
    raise InputError(
        _decode_problem(path, worst.encoding, worst, False).replace(
            "cannot be decoded as", f"is not text in any of {tried}; it reads furthest as", 1
        )
    )


# Declared encodings read as their superset: a file said to be GBK is usually GB18030-clean.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030"}


def _effective(encoding: str) -> str:
    """Return the codec name to decode a declared encoding with (unknown names pass through)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return _SUPERSETS.get(name, name)


def _binary_kind(data: bytes) -> str | None:
    """Return what kind of non-text file these bytes start like (a PDF, a Word file...), or None."""
    return next((kind for magic, kind in _BINARY_KINDS if data.startswith(magic)), None)


def _wrong_declared(data: bytes, path: Path, text: str, declared: str, used: str) -> str | None:
    """Return a problem when the declared encoding reads no punctuation and detection reads some."""
    if any(p in text for p in _PUNCTUATION):
        return None
    try:
        other, found = decode(data, path)
    except InputError:
        return None
    if found == used or not any(p in other for p in _PUNCTUATION):
        return None
    return (
        f"{path}: no sentence punctuation (。！？；) when read as {declared}, the encoding the "
        f"manifest gives, but some when read as {found}: is the manifest's encoding "
        f"'{declared}' right?"
    )


def read_plan_text(path: Path | str, encoding: str | None = None) -> RawText:
    """Return the decoded text of a plan file; raise InputError for a missing or undecodable file."""
    path = Path(path)
    if not path.is_file():
        what = "file not found"
        if "\\" in str(path) and Path(str(path).replace("\\", "/")).is_file():
            what = "file not found (write '/' instead of '\\' between folders in the manifest)"
        elif path.is_dir():
            what = "a folder, not a text file"
        elif path.exists():
            what = "not a regular file (a device, pipe or socket)"
        raise InputError(f"{path}: {what}")
    try:
        data = path.read_bytes()
    except OSError as exc:  # no permission, a device that fails: the file, not the run
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if kind := _binary_kind(data):
        raise InputError(f"{path}: {kind}, not plain text: save the plan as a text file")
    text, enc = decode(data, path, encoding)
    if encoding and (problem := _wrong_declared(data, path, text, encoding, enc)):
        raise InputError(problem)
    return RawText(text=text, encoding=enc, sha256=sha256_bytes(data), n_bytes=len(data))
