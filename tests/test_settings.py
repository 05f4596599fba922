"""briefer.settings: flag > environment > config file > default, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.errors import ConfigError
from briefer.settings import DEFAULT_MODEL, Settings, resolve

NO_KEY = "No API key: set OPENAI_API_KEY, pass --base-url, or install the local extra."


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A BRIEFER_HOME of our own, with none of the user's OPENAI_*/BRIEFER_* variables."""
    for name in [
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BRIEFER_API_KEY",
        "BRIEFER_BASE_URL",
        "BRIEFER_MODEL",
        "BRIEFER_CONCURRENCY",
        "BRIEFER_EXTRA_BODY",
        "BRIEFER_CONTEXT_WINDOW",
        "BRIEFER_TIMEOUT",
        "BRIEFER_SEED",
        "BRIEFER_STRUCTURED_OUTPUT",
    ]:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("BRIEFER_HOME", str(path))
    return path


def write_config(home: Path, body: str) -> Path:
    path = home / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_without_any_layer(home: Path) -> None:
    s = resolve()
    assert s == Settings()
    assert s.model == DEFAULT_MODEL
    assert s.api_key is None and s.base_url is None
    assert s.extra_body == {}


def test_model_precedence_flag_env_file_default(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve().model == DEFAULT_MODEL
    write_config(home, '[briefer]\nmodel = "file-model"\nconcurrency = 3\n')
    assert resolve().model == "file-model"
    monkeypatch.setenv("BRIEFER_MODEL", "env-model")
    assert resolve().model == "env-model"
    s = resolve({"model": "flag-model"})
    assert s.model == "flag-model"
    assert s.concurrency == 3  # layers merge per key: the file still supplies the rest


def test_flags_set_to_none_do_not_override(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, '[briefer]\nmodel = "file-model"\ntimeout = 60\n')
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    s = resolve({"model": None, "base_url": None, "timeout": None, "concurrency": 2})
    assert s.model == "file-model"
    assert s.base_url == "http://127.0.0.1:8080/v1"
    assert s.timeout == 60
    assert s.concurrency == 2


def test_environment_variables(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(
        home,
        '[briefer]\napi_key = "file-key"\nbase_url = "https://file.example/v1"\n'
        "extra_body = { from_file = true }\n",
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://env.example/v1")
    monkeypatch.setenv("BRIEFER_EXTRA_BODY", '{"cache_prompt": false, "top_k": 20}')
    monkeypatch.setenv("BRIEFER_CONCURRENCY", "8")
    s = resolve()
    assert s.api_key == "sk-env"
    assert s.base_url == "https://env.example/v1"
    assert s.extra_body == {"cache_prompt": False, "top_k": 20}
    assert s.concurrency == 8
    flagged = resolve({"api_key": "sk-flag", "extra_body": {"n": 1}})
    assert flagged.api_key == "sk-flag"
    assert flagged.extra_body == {"n": 1}


def test_briefer_variables_win_over_openai_ones(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("BRIEFER_API_KEY", "sk-briefer")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://openai.example/v1")
    monkeypatch.setenv("BRIEFER_BASE_URL", "http://localhost:8080/v1")
    s = resolve()
    assert (s.api_key, s.base_url) == ("sk-briefer", "http://localhost:8080/v1")


def test_empty_environment_variable_is_not_set(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, '[briefer]\nmodel = "file-model"\n')
    monkeypatch.setenv("BRIEFER_MODEL", "")
    assert resolve().model == "file-model"


def test_explicit_config_path(home: Path, tmp_path: Path) -> None:
    write_config(home, '[briefer]\nmodel = "home-model"\n')
    other = tmp_path / "elsewhere.toml"
    other.write_text('[briefer]\nmodel = "explicit-model"\n', encoding="utf-8")
    assert resolve(config=other).model == "explicit-model"


def test_missing_explicit_config_raises(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "config.toml"
    with pytest.raises(ConfigError, match="not found") as info:
        resolve(config=missing)
    assert str(missing) in str(info.value)


def test_missing_default_config_is_fine(home: Path) -> None:
    assert not (home / "config.toml").exists()
    assert resolve().model == DEFAULT_MODEL


def test_explicit_config_that_is_a_folder_raises_config_error(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "configdir"
    folder.mkdir()
    with pytest.raises(ConfigError) as info:
        resolve(config=folder)
    assert str(folder) in str(info.value)


@pytest.mark.parametrize(
    ("config", "names"),
    [
        ('[briefer\nmodel = "x"\n', "not valid TOML"),
        ("[briefer]\nconcurrency = 0\n", "concurrency"),  # an invalid value
        ('[briefer]\nmodle = "typo"\n', "modle"),  # an unknown key
    ],
    ids=["invalid TOML", "invalid value", "unknown key"],
)
def test_a_bad_config_file_is_named_with_the_problem(home: Path, config: str, names: str) -> None:
    path = write_config(home, config)
    with pytest.raises(ConfigError, match=names) as info:
        resolve()
    assert str(path) in str(info.value)


def test_invalid_flag_value_raises_config_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="temperature"):
        resolve({"temperature": 5.0})


@pytest.mark.parametrize(
    ("value", "names"),
    [("{cache_prompt: false}", "BRIEFER_EXTRA_BODY"), ("[1, 2]", "extra_body")],
    ids=["not JSON", "not an object"],
)
def test_a_bad_extra_body_is_a_config_error(
    home: Path, monkeypatch: pytest.MonkeyPatch, value: str, names: str
) -> None:
    monkeypatch.setenv("BRIEFER_EXTRA_BODY", value)
    with pytest.raises(ConfigError, match=names):
        resolve()


def test_require_key_without_key_or_base_url() -> None:
    with pytest.raises(ConfigError) as info:
        Settings().require_key()
    assert str(info.value) == NO_KEY


def test_require_key_returns_key_or_placeholder() -> None:
    assert Settings(api_key="sk-real").require_key() == "sk-real"
    assert Settings(api_key="sk-real", base_url="http://h/v1").require_key() == "sk-real"
    for url in ("http://127.0.0.1:8080/v1", "http://10.0.0.5:8000/v1"):  # any server of one's own
        placeholder = Settings(base_url=url).require_key()
        assert isinstance(placeholder, str) and placeholder.strip()


def test_endpoint_without_base_url_is_openai() -> None:
    assert Settings().endpoint() == "https://api.openai.com/v1"


def test_briefer_home_relocates_state(home: Path) -> None:
    state = resolve().home
    assert state.data_dir == home
    assert state.cache_dir == home / "cache"
    assert state.config_file == home / "config.toml"
    assert state.log_dir == home / "logs"


def test_home_is_fixed_when_the_settings_are_made(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = resolve()
    monkeypatch.setenv("BRIEFER_HOME", str(home.parent / "other-home"))
    monkeypatch.chdir(home.parent)
    assert made.home.data_dir == home  # neither the variable nor the cwd moves it now
    assert resolve().home.data_dir == home.parent / "other-home"


def test_a_home_flag_wins_over_briefer_home(home: Path, tmp_path: Path) -> None:
    write_config(home, '[briefer]\nmodel = "from-briefer-home"\n')
    flagged = tmp_path / "flagged"
    flagged.mkdir()
    write_config(flagged, '[briefer]\nmodel = "from-flagged-home"\n')
    s = resolve({"home": flagged})
    assert s.home.data_dir == flagged
    assert s.model == "from-flagged-home"  # its config.toml is the one read


def test_home_cannot_be_set_in_the_config_file(home: Path) -> None:
    path = write_config(home, '[briefer]\nhome = "/elsewhere"\n')
    with pytest.raises(ConfigError, match="BRIEFER_HOME") as info:
        resolve()
    assert str(path) in str(info.value)


def test_briefer_home_expands_user(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("BRIEFER_HOME", "~/state")
    state = resolve().home
    assert state.data_dir == home / "state"
    assert state.config_file == home / "state" / "config.toml"


def test_a_relative_briefer_home_is_made_absolute(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(home)
    monkeypatch.setenv("BRIEFER_HOME", "state")
    assert resolve().home.data_dir == home / "state"


def test_without_briefer_home_state_is_not_in_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFER_HOME")
    state = resolve().home
    for path in (state.data_dir, state.cache_dir, state.config_file, state.log_dir):
        assert home not in path.parents
        assert "briefer" in path.parts


# --- the article size limit ---------------------------------------------------------------


def test_max_article_tokens_from_every_layer(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve().max_article_tokens == 30_000
    write_config(home, "[briefer]\nmax_article_tokens = 50000\n")
    assert resolve().max_article_tokens == 50_000
    monkeypatch.setenv("BRIEFER_MAX_ARTICLE_TOKENS", "60000")
    assert resolve().max_article_tokens == 60_000
    assert resolve({"max_article_tokens": 70_000}).max_article_tokens == 70_000


def test_max_article_tokens_must_be_positive(home: Path) -> None:
    with pytest.raises(ConfigError, match="max_article_tokens: Input should be greater than"):
        resolve({"max_article_tokens": 0})


def test_daily_runs_take_max_article_tokens_from_their_model_table(
    home: Path, tmp_path: Path
) -> None:
    from briefer.daily.config import load, model_settings

    path = tmp_path / "briefer.toml"
    path.write_text(
        'output = "out"\n[sources]\nfolders = ["in"]\n[model]\nmax_article_tokens = 80000\n',
        encoding="utf-8",
    )
    assert model_settings(load(path)).max_article_tokens == 80_000
