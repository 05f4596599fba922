"""Bytes to text: UTF-8 first, then a charset the document declares, then detection.

A French article saved in Latin-1 or a Windows page in cp1252 is a normal input, not an error.
Only what is really not text is refused: bytes with NUL in them, or bytes no known encoding
reads as plausible text (charset-normalizer decides that).
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(
    rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]{1,40})", re.IGNORECASE
)
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_SNIFF_BYTES = 4096
# Text that announces UTF-32 or UTF-16 with a byte-order mark (Windows editors save it) holds
# NUL bytes and would otherwise be refused as binary. UTF-32's marks come first: they start
# with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)  # a page declares its charset in its head, near the top


def declared_charset(html: bytes) -> str | None:
    """The charset an HTML page names in a `<meta charset>` or `http-equiv` tag, if any."""
    m = _META_CHARSET.search(html[:_SNIFF_BYTES])
    return m.group(1).decode("ascii") if m else None


def _codec(label: str | None) -> str | None:
    """Python's name for a charset label; None when unknown or when it cannot apply here."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # UTF-8 was already tried; UTF-16/32 bytes hold NUL and are refused before this.
    return None if name.startswith(("utf-8", "utf-16", "utf-32")) else name


def _detect(data: bytes) -> tuple[str, str]:
    """charset-normalizer's reading, preferring cp1252 whenever it finds that plausible.

    On short Western text it cannot tell cp1252 from cp1250 or DOS code pages (a French
    paragraph with curly quotes came out as cp775 mojibake), so cp1252, the web's default for
    undeclared legacy text, wins every such tie.
    """
    from charset_normalizer import from_bytes  # only for a file that is not UTF-8

    matches = from_bytes(data, preemptive_behaviour=False)  # `decode` reads declarations
    names = [m.encoding for m in matches]
    if any("cp1252" in m.could_be_from_charset for m in matches):
        names.insert(0, "cp1252")
    for name in names:
        try:
            return data.decode(name), codecs.lookup(name).name
        except UnicodeDecodeError:  # a guess from a sample of a large file may not fit it all
            continue
    raise ValueError("binary file, not text (no text encoding fits its bytes)")


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read with ("utf-8", "cp1252", ...): UTF-8 (a BOM is
    dropped), else the `declared` charset if the bytes fit it, else a detected one.

    Raises ValueError with the reason for bytes that are not text.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(name), name[:6]  # "utf-16", "utf-32"
            except UnicodeDecodeError:
                break  # a BOM followed by junk: let the checks below decide
    if b"\x00" in data:
        raise ValueError("binary file (it holds NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    codec = _codec(declared)
    if codec:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:  # the page's claim is wrong: read what is there
            pass
        else:
            # C1 controls are never text: a page "in Latin-1" that holds cp1252's curly quotes
            # and euro signs at 0x80-0x9F (browsers read it as cp1252 too) is detected instead.
            if not _C1_CONTROLS.search(text):
                return text, codec
    return _detect(data)
