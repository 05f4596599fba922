"""briefer.model.tokens: tiktoken encodings built offline from the files bpe-openai ships."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import importlib.resources
import importlib.util
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator, MutableMapping
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest
import tiktoken
import tiktoken.load
import tiktoken.registry

from briefer.errors import EncodingUnavailableError
from briefer.model.tokens import TokenCounter, clear_cache, get_encoding

NAMES = ["o200k_base", "cl100k_base"]
# tiktoken's public blob URLs (tiktoken_ext/openai_public.py); its cache key is sha1(url).
URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
# Text that exercises every branch of the split patterns: contractions in both cases, numbers
# longer than three digits, accents, CJK, punctuation runs, line breaks, trailing spaces.
SAMPLE = (
    "Mishustin called Li Qiang his “dear friend” — trade topped $240,000,000,000 in 2024.\n"
    "THEY'RE sure it's fine; we'LL see.\r\n\n  Ça coûte 12 345,67 €… 北京和莫斯科 签署了协议。 "
    "x=1/2 (sic)!!! <|endoftext|> <|endofprompt|> <|fim_prefix|>   \n\t end   "
)


@pytest.fixture(autouse=True)
def _no_download(monkeypatch: pytest.MonkeyPatch) -> None:
    """tiktoken fetches through tiktoken.load.read_file: any call to it fails the test."""

    def no_network(blobpath: str) -> bytes:
        raise AssertionError(f"tiktoken tried to fetch {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)


@pytest.fixture
def fresh() -> None:
    """Forget the encodings briefer has built, so get_encoding builds them again."""
    clear_cache()


def bpe_openai_at(monkeypatch: pytest.MonkeyPatch, location: Path | None) -> None:
    """Make find_spec report bpe-openai's package folder at `location` (None: not installed),
    which is how briefer finds the files without importing the package."""
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        if name != "bpe_openai":
            return real(name, package)
        if location is None:
            return None
        spec = ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(location)]
        return spec

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def packaged(name: str) -> bytes:
    """The test's own read of bpe-openai's file (not briefer's _packaged_bytes)."""
    with warnings.catch_warnings():
        # bpe-openai's __init__ calls the deprecated importlib.resources.open_binary.
        warnings.simplefilter("ignore", DeprecationWarning)
        importlib.import_module("bpe_openai")
    gz = importlib.resources.files("bpe_openai.data").joinpath(f"{name}.tiktoken.gz")
    return gzip.decompress(gz.read_bytes())


def tiktokens_own(name: str, cache: Path, monkeypatch: pytest.MonkeyPatch) -> tiktoken.Encoding:
    """The judge: tiktoken's own encoding, loaded from a cache the test pre-fills."""
    cache.mkdir()
    (cache / hashlib.sha1(URLS[name].encode()).hexdigest()).write_bytes(packaged(name))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    return tiktoken.get_encoding(name)


class RecordingEnviron(MutableMapping[str, str]):
    """os.environ's stand-in: passes everything through and records every write and read."""

    def __init__(self, backing: MutableMapping[str, str]) -> None:
        self.backing = backing
        self.writes: list[str] = []
        self.reads: list[str] = []

    def __getitem__(self, key: str) -> str:
        self.reads.append(key)
        return self.backing[key]

    def __setitem__(self, key: str, value: str) -> None:
        self.writes.append(key)
        self.backing[key] = value

    def __delitem__(self, key: str) -> None:
        self.writes.append(key)
        del self.backing[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.backing)

    def __len__(self) -> int:
        return len(self.backing)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.reads.append(key)
        return key in self.backing


@pytest.mark.parametrize("name", NAMES)
def test_encoding_loads_offline_and_counts(name: str) -> None:
    enc = get_encoding(name)
    assert enc.name == name
    assert len(enc.encode("hello world")) == 2
    counter = TokenCounter(enc)
    text = "Mishustin called Li Qiang his “dear friend” — trade topped $240 billion."
    assert counter.count(text) == len(enc.encode(text))
    assert counter.encode(text) == enc.encode(text)
    assert counter.decode(counter.encode(text)) == text


@pytest.mark.parametrize("name", NAMES)
def test_encoding_is_tiktokens_own(
    name: str, tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = get_encoding(name)
    theirs = tiktokens_own(name, tmp_path / "tiktoken", monkeypatch)
    assert ours.n_vocab == theirs.n_vocab
    assert ours.special_tokens_set == theirs.special_tokens_set
    for special in sorted(theirs.special_tokens_set):
        assert ours.encode_single_token(special) == theirs.encode_single_token(special)
    assert ours.encode(SAMPLE, allowed_special="all") == theirs.encode(
        SAMPLE, allowed_special="all"
    )
    assert ours.encode(SAMPLE, disallowed_special=()) == theirs.encode(
        SAMPLE, disallowed_special=()
    )


def test_encodings_differ_where_tiktoken_says_they_do() -> None:
    o200k = get_encoding("o200k_base")
    cl100k = get_encoding("cl100k_base")
    assert o200k.encode("hello world") != cl100k.encode("hello world")
    assert o200k.n_vocab > cl100k.n_vocab


def test_counter_treats_special_token_text_as_plain_text() -> None:
    enc = get_encoding("o200k_base")
    counter = TokenCounter(enc)
    text = "An article quoting <|endoftext|> literally."
    with pytest.raises(ValueError):
        enc.encode(text)  # tiktoken's default refuses it; articles must still be countable
    assert counter.count(text) == len(enc.encode(text, disallowed_special=()))
    assert counter.decode(counter.encode(text)) == text


def test_second_call_returns_the_loaded_encoding() -> None:
    assert get_encoding("cl100k_base") is get_encoding("cl100k_base")


@pytest.mark.parametrize("name", NAMES)
def test_loading_leaves_the_environment_alone(
    name: str, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "/somewhere/else")
    before = dict(os.environ)
    recorder = RecordingEnviron(os.environ)
    monkeypatch.setattr(os, "environ", recorder)
    get_encoding(name)
    assert recorder.writes == []  # not even set and restored while loading
    assert [k for k in recorder.reads if k.startswith(("TIKTOKEN", "DATA_GYM"))] == []
    assert dict(recorder.backing) == before


def test_loading_bypasses_tiktokens_file_cache(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tiktoken's loaders keep a copy under $TIKTOKEN_CACHE_DIR or the temp folder."""

    def no_cache(blobpath: str, expected_hash: str | None = None) -> bytes:
        raise AssertionError(f"tiktoken's cached reader was asked for {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file_cached", no_cache)
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})  # nothing tiktoken built earlier
    assert len(get_encoding("o200k_base").encode("hello world")) == 2


def test_unknown_encoding_name_raises() -> None:
    with pytest.raises(EncodingUnavailableError, match="p50k_base"):
        get_encoding("p50k_base")


def test_missing_packaged_bytes_raise_naming_bpe_openai(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    bpe_openai_at(monkeypatch, None)
    with pytest.raises(EncodingUnavailableError, match="bpe-openai"):
        get_encoding("o200k_base")
    with pytest.raises(EncodingUnavailableError, match="bpe-openai"):  # the failure is not kept
        get_encoding("o200k_base")


def test_packaged_bytes_with_wrong_hash_raise(
    tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tiktoken's file less its last line: parseable, but not the file tiktoken's sha256 names.
    short = b"".join(packaged("cl100k_base").splitlines(keepends=True)[:-1])
    fake = tmp_path / "site" / "bpe_openai"
    (fake / "data").mkdir(parents=True)
    (fake / "data" / "cl100k_base.tiktoken.gz").write_bytes(gzip.compress(short))
    bpe_openai_at(monkeypatch, fake)
    with pytest.raises(EncodingUnavailableError, match="sha256") as info:
        get_encoding("cl100k_base")
    assert "bpe-openai" in str(info.value)
    with pytest.raises(EncodingUnavailableError, match="sha256"):  # the failure is not kept
        get_encoding("cl100k_base")


def test_get_encoding_survives_warnings_as_errors(tmp_path: Path) -> None:
    """A fresh interpreter with DeprecationWarning as error (what pytest's config does).

    Loading a tokenizer must not fail because of a warning inside a dependency.
    """
    code = (
        "from briefer.model.tokens import get_encoding; "
        "enc = get_encoding('cl100k_base'); "
        "assert len(enc.encode('hello world')) == 2"
    )
    proc = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert proc.returncode == 0, proc.stderr[-1500:]
