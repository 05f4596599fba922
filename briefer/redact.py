"""Keep secrets out of everything briefer writes or prints.

A base URL may carry credentials (`http://user:pass@host/v1`, `?api_key=...`), and a server's
error text may echo the key it was sent. Everything that names an endpoint or repeats what a
server said goes through here first: files, the cache, the index, error messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "[redacted]"
# Query parameters that carry credentials by convention.
_SECRET_PARAMS = re.compile(
    r"^(api[-_]?key|key|token|access[-_]?token|secret|password|sig|auth)$", re.I
)
# Key-shaped strings: OpenAI-style keys and bearer tokens, whoever echoes them.
_KEY_SHAPES = re.compile(r"(?:\bsk-[A-Za-z0-9_\-]{6,}|\bBearer\s+[A-Za-z0-9._~+/\-]{6,}=*)", re.I)
# user:pass@ inside any URL in free text.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.\-]*://)[^/\s@]+@", re.I)
# A command-line flag whose value is a credential (`--api-key`, `--token`, `--password`, ...).
_SECRET_FLAG = re.compile(
    r"^--?(?:[a-z0-9]+[-_])*(api[-_]?key|key|token|secret|password|passwd|auth)$", re.I
)


def redact_url(url: str) -> str:
    """The URL without user:password and without credential query parameters."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return _URL_USERINFO.sub(r"\g<scheme>", url)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if _SECRET_PARAMS.match(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_secrets(url: str | None) -> list[str]:
    """The credential parts of a URL (password, user, secret query values), to mask in text."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [s for s in (parts.password, parts.username) if s]
    found += [v for k, v in parse_qsl(parts.query) if _SECRET_PARAMS.match(k) and v]
    return found


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every known secret, key-shaped string and URL credential masked."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(r"\g<scheme>", text)
    return _KEY_SHAPES.sub(MASK, text)


def _argument(arg: str) -> str:
    """One command-line word with the credentials of any URL in it (`URL`, `--flag=URL`)."""
    flag, eq, value = arg.partition("=") if arg.startswith("-") else ("", "", arg)
    if "://" in value:
        value = redact_url(value)
    return flag + eq + redact_text(value)


def redact_argv(argv: Sequence[str]) -> list[str]:
    """A command line fit to be recorded: URLs without credentials, key-shaped words masked,
    and the value of a flag named for a secret (`--api-key X`, `--token=X`) masked."""
    out: list[str] = []
    secret_next = False
    for arg in argv:
        flag, eq, _ = arg.partition("=")
        if secret_next:
            out.append(MASK)
        elif arg.startswith("-") and _SECRET_FLAG.match(flag):
            out.append(f"{flag}={MASK}" if eq else arg)
        else:
            out.append(_argument(arg))
        secret_next = not eq and arg.startswith("-") and bool(_SECRET_FLAG.match(flag))
    return out
