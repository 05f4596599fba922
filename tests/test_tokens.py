"""briefer.model.tokens: tiktoken encodings loaded offline from the files bpe-openai ships."""

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
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest
import tiktoken
import tiktoken.load
import tiktoken.registry

from briefer.errors import EncodingUnavailableError
from briefer.model.tokens import TokenCounter, clear_cache, get_encoding

# tiktoken's public blob URLs (tiktoken_ext/openai_public.py); its cache key is sha1(url).
URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
# tiktoken's expected sha256 of each file (the same constants tiktoken checks downloads with).
SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}


@pytest.fixture(autouse=True)
def _bpe_openai_imported() -> None:
    """Import bpe-openai once with its own DeprecationWarning silenced.

    Its package __init__ calls the deprecated importlib.resources.open_binary; under
    filterwarnings=error that escapes briefer.model.tokens.get_encoding. The leak itself is
    covered by test_get_encoding_survives_warnings_as_errors (in a fresh interpreter); here it is
    set aside so the remaining tests exercise briefer's own logic.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        importlib.import_module("bpe_openai")


@pytest.fixture(autouse=True)
def _no_download(monkeypatch: pytest.MonkeyPatch) -> None:
    """tiktoken fetches through tiktoken.load.read_file: any call to it fails the test."""

    def no_network(blobpath: str) -> bytes:
        raise AssertionError(f"tiktoken tried to fetch {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)


@pytest.fixture
def fresh() -> None:
    """Forget the encodings briefer has loaded, so get_encoding fills its cache dir again."""
    clear_cache()


@pytest.fixture
def fresh_tiktoken(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Also forget tiktoken's own loaded encodings, so it really reads the cache dir."""
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})


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


def cache_file(cache_dir: Path, name: str) -> Path:
    return cache_dir / hashlib.sha1(URLS[name].encode()).hexdigest()


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_encoding_loads_offline_and_counts(name: str, tmp_path: Path) -> None:
    enc = get_encoding(name, tmp_path / "tiktoken")
    assert enc.name == name
    assert len(enc.encode("hello world")) == 2
    counter = TokenCounter(enc)
    text = "Mishustin called Li Qiang his “dear friend” — trade topped $240 billion."
    assert counter.count(text) == len(enc.encode(text))
    assert counter.encode(text) == enc.encode(text)
    assert counter.decode(counter.encode(text)) == text


def test_encodings_differ_where_tiktoken_says_they_do(tmp_path: Path) -> None:
    o200k = get_encoding("o200k_base", tmp_path)
    cl100k = get_encoding("cl100k_base", tmp_path)
    assert o200k.encode("hello world") != cl100k.encode("hello world")
    assert o200k.n_vocab > cl100k.n_vocab


def test_counter_treats_special_token_text_as_plain_text(tmp_path: Path) -> None:
    enc = get_encoding("o200k_base", tmp_path)
    counter = TokenCounter(enc)
    text = "An article quoting <|endoftext|> literally."
    with pytest.raises(ValueError):
        enc.encode(text)  # tiktoken's default refuses it; articles must still be countable
    assert counter.count(text) == len(enc.encode(text, disallowed_special=()))
    assert counter.decode(counter.encode(text)) == text


def test_second_call_returns_the_loaded_encoding(tmp_path: Path) -> None:
    first = get_encoding("cl100k_base", tmp_path / "a")
    assert get_encoding("cl100k_base", tmp_path / "b") is first


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_cache_dir_gets_file_named_sha1_of_url(
    name: str, tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "/somewhere/else")
    cache = tmp_path / "tiktoken"
    enc = get_encoding(name, cache)
    target = cache_file(cache, name)
    assert target.is_file()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == SHA256[name]
    packaged = importlib.resources.files("bpe_openai.data").joinpath(f"{name}.tiktoken.gz")
    assert target.read_bytes() == gzip.decompress(packaged.read_bytes())
    assert [p.name for p in cache.iterdir()] == [target.name]  # no temp file left behind
    assert len(enc.encode("hello world")) == 2
    assert os.environ["TIKTOKEN_CACHE_DIR"] == "/somewhere/else"  # restored after loading


def test_unset_tiktoken_cache_dir_stays_unset(
    tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    get_encoding("cl100k_base", tmp_path)
    assert "TIKTOKEN_CACHE_DIR" not in os.environ


def test_corrupted_cache_file_is_replaced(tmp_path: Path, fresh_tiktoken: None) -> None:
    target = cache_file(tmp_path, "cl100k_base")
    target.write_bytes(b"truncated download\n")
    enc = get_encoding("cl100k_base", tmp_path)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == SHA256["cl100k_base"]
    assert len(enc.encode("hello world")) == 2


def test_unknown_encoding_name_raises(tmp_path: Path) -> None:
    cache = tmp_path / "tiktoken"
    with pytest.raises(EncodingUnavailableError, match="p50k_base"):
        get_encoding("p50k_base", cache)
    assert not cache.exists()


def test_missing_packaged_bytes_raise_naming_bpe_openai(
    tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    bpe_openai_at(monkeypatch, None)
    with pytest.raises(EncodingUnavailableError, match="bpe-openai"):
        get_encoding("o200k_base", tmp_path)
    assert not cache_file(tmp_path, "o200k_base").exists()


def test_a_valid_cache_file_needs_no_packaged_bytes(
    tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = importlib.resources.files("bpe_openai.data").joinpath("cl100k_base.tiktoken.gz")
    cache_file(tmp_path, "cl100k_base").write_bytes(gzip.decompress(packaged.read_bytes()))
    bpe_openai_at(monkeypatch, None)
    enc = get_encoding("cl100k_base", tmp_path)
    assert len(enc.encode("hello world")) == 2


def test_packaged_bytes_with_wrong_hash_raise(
    tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "site" / "bpe_openai"
    (fake / "data").mkdir(parents=True)
    (fake / "data" / "cl100k_base.tiktoken.gz").write_bytes(gzip.compress(b"aGVsbG8= 0\n"))
    bpe_openai_at(monkeypatch, fake)
    with pytest.raises(EncodingUnavailableError, match="sha256") as info:
        get_encoding("cl100k_base", tmp_path)
    assert "bpe-openai" in str(info.value)
    assert not cache_file(tmp_path, "cl100k_base").exists()
    with pytest.raises(EncodingUnavailableError, match="sha256"):  # the failure is not cached
        get_encoding("cl100k_base", tmp_path)


def test_get_encoding_survives_warnings_as_errors(tmp_path: Path) -> None:
    """A fresh interpreter with DeprecationWarning as error (what pytest's config does).

    Loading a tokenizer must not fail because of a warning inside a dependency.
    """
    code = (
        "import sys; from pathlib import Path; from briefer.model.tokens import get_encoding; "
        "enc = get_encoding('cl100k_base', Path(sys.argv[1])); "
        "assert len(enc.encode('hello world')) == 2"
    )
    proc = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert proc.returncode == 0, proc.stderr[-1500:]
