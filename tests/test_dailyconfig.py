"""briefer.toml: the example validates, paths resolve against the file, and every mistake
names the file, the key and (where it can) the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.daily.config import EXAMPLE, load, model_settings
from briefer.daily.safehttp import Origin
from briefer.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load(path)
    return str(info.value)


def test_the_example_from_init_is_valid_and_paths_resolve_against_its_folder(
    tmp_path: Path,
) -> None:
    cfg = load(write(tmp_path, EXAMPLE))
    assert cfg.output == tmp_path / "briefings"
    assert cfg.sources.folders == [str(tmp_path / "articles")]
    assert cfg.formats == ["html", "md"]
    assert (cfg.window_hours, cfg.keep_days, cfg.min_outlets) == (24, 30, 2)
    assert (cfg.fetch_timeout, cfg.gather_timeout) == (20, 600)
    assert cfg.allow_private_addresses is False  # feeds reach public addresses only


def test_absolute_and_home_paths_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cfg = load(
        write(
            tmp_path,
            'output = "~/out"\n[sources]\nfolders = ["/srv/news"]\nglobs = ["in/*.html"]\n',
        )
    )
    assert cfg.output == tmp_path / "home" / "out"
    assert cfg.sources.folders == ["/srv/news"]
    assert cfg.sources.globs == [str(tmp_path / "in" / "*.html")]


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'output = "out"\n[sources]\nfolders = "a" "b"\nkeep_days = 3\n')
    message = error_of(path)
    assert str(path) in message and "not valid TOML" in message and "line 3" in message


def test_unknown_key_names_its_line_and_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, 'output = "out"\n\n[sources]\nfolder = ["a"]\n')
    message = error_of(path)
    assert message.startswith(f"{path}: line 4: unknown key 'sources.folder'")
    assert "did you mean 'folders'" in message


def test_bad_value_names_the_key_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, 'output = "out"\n[sources]\nfeeds = ["ftp://x"]\n[model]\nconcurrency = 0\n'
    )
    message = error_of(path)
    assert message.startswith(f"{path}: line 3: sources.feeds[0]:")
    assert "'ftp://x' is not an http or https URL (ftp:)" in message
    path = write(tmp_path, 'output = "out"\nkeep_days = -1\n[sources]\nurls = ["https://a.b/c"]\n')
    assert error_of(path).startswith(f"{path}: line 2: keep_days: Input should be greater")
    path = write(tmp_path, 'output = "o"\n[sources]\nfolders = ["a"]\n[model]\nconcurrency = 0\n')
    assert error_of(path).startswith(f"{path}: line 5: model.concurrency:")
    path = write(tmp_path, 'output = "o"\ngather_timeout = 0\n[sources]\nfolders = ["a"]\n')
    assert error_of(path).startswith(f"{path}: line 2: gather_timeout: Input should be greater")
    path = write(tmp_path, 'output = "o"\nformats = ["pdf"]\n[sources]\nfolders = ["a"]\n')
    assert error_of(path).startswith(
        f"{path}: line 2: formats[0]: Input should be 'md', 'json' or 'html'"
    )


def test_missing_output_and_empty_sources_are_explained(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[sources]\nfolders = ["a"]\n'))
    assert "missing key 'output'" in message and "briefer init" in message
    message = error_of(write(tmp_path, 'output = "out"\n[sources]\n'))
    assert "needs at least one of folders, globs, feeds or urls" in message


def test_an_api_key_in_the_file_is_refused_with_where_it_belongs(tmp_path: Path) -> None:
    path = write(tmp_path, 'output = "o"\n[sources]\nfolders = ["a"]\n[model]\napi_key = "sk-1"\n')
    message = error_of(path)
    assert "line 5" in message and "environment file" in message and "sk-1" not in message


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    message = error_of(tmp_path / "nope.toml")
    assert "not found" in message and "briefer init" in message


def test_model_table_sits_below_environment_and_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load(
        write(
            tmp_path,
            'output = "o"\n[sources]\nfolders = ["a"]\n'
            '[model]\nmodel = "gpt-4.1-nano"\nconcurrency = 2\nbase_url = "http://127.0.0.1:9/v1"\n',
        )
    )
    s = model_settings(cfg)
    assert (s.model, s.concurrency, s.base_url) == ("gpt-4.1-nano", 2, "http://127.0.0.1:9/v1")
    monkeypatch.setenv("BRIEFER_MODEL", "gpt-4o-mini")
    s = model_settings(cfg)
    assert (s.model, s.concurrency) == ("gpt-4o-mini", 2)
    s = model_settings(cfg, {"model": "gpt-5-nano", "concurrency": None})
    assert (s.model, s.concurrency) == ("gpt-5-nano", 2)


@pytest.mark.parametrize("key", ["feeds", "urls"])
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://0177.0.0.1/x", "is not a valid URL (Invalid IPv4 address: '0177.0.0.1')."),
        ("http://[::1/", "is not a valid URL (Invalid port: ':1')."),
        ("http://\uff41.com/", "is not a valid URL (Invalid IDNA hostname: '\uff41.com')."),
        ("http://\xa0/", "is not a valid URL (Invalid IDNA hostname: '\\xa0')."),
        ("file:///x", "is not an http or https URL (file:)."),
        ("http://h.test:99999/", "is not a valid URL (port 99999 is out of range)."),
    ],
)
def test_a_url_the_fetcher_cannot_take_is_refused_when_the_config_loads(
    tmp_path: Path, key: str, url: str, why: str
) -> None:
    """The same check as for every link the fetcher meets (httpx2's parser), at load time."""
    text = f'output = "o"\n[sources]\nfolders = ["a"]\n{key} = ["https://ok.test/", "{url}"]\n'
    path = write(tmp_path, text)
    assert error_of(path) == f"{path}: line 4: sources.{key}[1]: {url!r} {why}"


def test_allow_private_addresses_true_means_the_hosts_of_feeds_and_urls(tmp_path: Path) -> None:
    cfg = load(
        write(
            tmp_path,
            'output = "o"\nallow_private_addresses = true\n[sources]\n'
            'feeds = ["http://192.168.1.10:8080/feed.xml", "https://News.test/rss"]\n'
            'urls = ["http://[fd00::1]/story"]\n',
        )
    )
    assert cfg.private_origins() == {
        Origin("192.168.1.10", 8080),
        Origin("news.test", 443),
        Origin("fd00::1", 80),
    }
    cfg = load(write(tmp_path, 'output = "o"\n[sources]\nurls = ["http://10.0.0.2/a"]\n'))
    assert cfg.private_origins() == frozenset()


def test_allow_private_addresses_takes_a_list_of_hosts(tmp_path: Path) -> None:
    cfg = load(
        write(
            tmp_path,
            'output = "o"\n'
            'allow_private_addresses = ["192.168.1.10:8080", "nas.lan", "[::1]:81", '
            '"http://feeds.lan:8000/rss", "router.lan:80"]\n'
            '[sources]\nfolders = ["a"]\n',
        )
    )
    assert cfg.private_origins() == {
        Origin("192.168.1.10", 8080),
        Origin("nas.lan", 80),
        Origin("nas.lan", 443),  # a bare host: the standard web ports
        Origin("::1", 81),
        Origin("feeds.lan", 8000),
        Origin("router.lan", 80),
    }


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ('["0177.0.0.1"]', "'0177.0.0.1' is not a valid URL (Invalid IPv4 address: '0177.0.0.1')."),
        ('["nas.lan/feeds"]', "'nas.lan/feeds' is not a host or host:port."),
        ('["ftp://nas.lan"]', "'ftp://nas.lan' is not an http or https URL (ftp:)."),
        ('"yes"', 'should be true, false or a list of hosts like ["192.168.1.10:8080"].'),
        ("[8080]", 'should be true, false or a list of hosts like ["192.168.1.10:8080"].'),
    ],
)
def test_a_bad_allow_private_addresses_names_its_line(tmp_path: Path, value: str, why: str) -> None:
    path = write(
        tmp_path, f'output = "o"\nallow_private_addresses = {value}\n[sources]\nfolders = ["a"]\n'
    )
    assert error_of(path) == f"{path}: line 2: allow_private_addresses: {why}"


def test_the_model_table_sets_the_article_limit(tmp_path: Path) -> None:
    cfg = load(
        write(tmp_path, 'output = "o"\n[sources]\nfolders = ["a"]\n[model]\nmax_articles = 80\n')
    )
    assert model_settings(cfg).max_articles == 80
    assert model_settings(load(write(tmp_path, EXAMPLE))).max_articles == 50  # the default
