"""briefer.ingest.files: files and folders in, Articles out, bad files skipped with a reason."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from briefer.errors import InputError, NoArticlesError
from briefer.ingest.files import (
    MAX_FILE_BYTES,
    IngestResult,
    ingest,
    outlet_notes,
    read_article,
    read_page,
)

from .faults import bounded, release

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))

GOOD = "Bridge reopens\n\nThe harbour bridge reopened on Tuesday after eleven months of repairs.\n"
OTHER = "Port strike ends\n\nDock workers returned to work on Monday after a two-week strike.\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """An empty folder of our own (tmp_path itself may hold the test's BRIEFER_HOME)."""
    path = tmp_path / "src"
    path.mkdir()
    return path


def reasons(result: IngestResult) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in result.skipped}


# --- the seeds ---------------------------------------------------------------------------


def test_seeds_give_five_articles_in_sorted_order() -> None:
    result = ingest([SEEDS])
    assert len(SEED_FILES) == 5
    assert [Path(a.path) for a in result.articles] == SEED_FILES
    assert result.skipped == []


def test_seed_ids_are_unique_hex_and_stable() -> None:
    first = ingest([SEEDS]).articles
    ids = [a.id for a in first]
    assert all(re.fullmatch(r"[0-9a-f]{12}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert [a.id for a in ingest([SEEDS]).articles] == ids


def test_ids_depend_on_content_not_location(src: Path) -> None:
    copy = src / "copy"
    shutil.copytree(SEEDS, copy)
    original = {Path(a.path).name: a.id for a in ingest([SEEDS]).articles}
    copied = {Path(a.path).name: a.id for a in ingest([copy]).articles}
    assert copied == original
    edited = copy / SEED_FILES[0].name
    edited.write_text(edited.read_text("utf-8") + "\nAn added line.\n", encoding="utf-8")
    assert ingest([edited]).articles[0].id != original[edited.name]


# What a reader of each seed takes for its headline (read from the files): 000 opens with a
# paragraph, 002 glues a site name to its title, 003 puts a section label above its title.
SEED_TITLES = [
    "Picture this: a crisp autumn morning in Hangzhou, where ancient pagodas meet…",
    "Russia looks to cosy up with China after Trump’s meeting with Xi",
    "Comprehensive Overview: China-Russia Summit and Deepening Strategic Ties",
    "China and Russia Strengthen Bilateral Relations Amid Rising Tensions",
    "China and Russia strengthen partnership amid Western pressure and trade sanctions",
]
SEED_LABELS = [
    "Picture this: a crisp autumn morning…",
    "Russia looks to cosy up…",
    "Comprehensive Overview: China-Russia…",
    "China and Russia Strengthen Bilateral…",
    "China and Russia strengthen partnership…",
]


def test_seeds_are_labelled_by_their_titles_never_by_hash_stems() -> None:
    articles = ingest([SEEDS]).articles
    assert [a.title for a in articles] == SEED_TITLES
    assert [a.outlet for a in articles] == SEED_LABELS
    for article, path in zip(articles, SEED_FILES, strict=True):
        assert article.outlet_source == "title"
        assert path.stem not in article.outlet
        assert article.text == path.read_text("utf-8")
        assert article.url is None and article.date is None
    # Seed 000's title is its first sentence, cut on a word: a prefix of the file's text.
    assert (
        SEEDS.joinpath(SEED_FILES[0].name)
        .read_text("utf-8")
        .startswith(SEED_TITLES[0].removesuffix("…"))
    )


def test_a_word_stem_names_the_outlet_a_hash_stem_does_not(src: Path) -> None:
    write(src, "reuters.txt", GOOD)
    write(src, "a1b2c3d4e5f60718.txt", OTHER)
    by_name = {Path(a.path).name: a for a in ingest([src]).articles}
    assert (by_name["reuters.txt"].outlet, by_name["reuters.txt"].outlet_source) == (
        "reuters",
        "file",
    )
    hashed = by_name["a1b2c3d4e5f60718.txt"]
    assert (hashed.outlet, hashed.outlet_source) == ("Port strike ends", "title")


def test_unnamed_outlets_get_one_warning_saying_how_to_name_them(src: Path) -> None:
    write(src, "reuters.txt", GOOD)
    write(src, "0001.txt", OTHER)
    write(src, "named.md", "---\noutlet: Example Times\n---\nBridge reopens.\n")
    (note,) = outlet_notes(ingest([src]).articles)
    assert "0001.txt" in note and "reuters.txt" in note and "named.md" not in note
    assert "sources.toml" in note and "front matter" in note
    named = [a for a in ingest([src]).articles if a.outlet_source == "front_matter"]
    assert outlet_notes(named) == []


# --- outlet and title sources ------------------------------------------------------------


def test_front_matter_gives_outlet_and_is_removed_from_body(src: Path) -> None:
    body = "Harbour bridge reopens\n\nThe bridge reopened on Tuesday.\n"
    path = write(
        src,
        "story.md",
        "---\noutlet: Example Times\nurl: https://example.com/bridge\ndate: 2025-11-04\n---\n"
        + body,
    )
    article = ingest([src]).articles[0]
    assert article.path == str(path)
    assert (article.outlet, article.outlet_source) == ("Example Times", "front_matter")
    assert article.text == body
    assert article.title == "Harbour bridge reopens"
    assert article.url == "https://example.com/bridge"
    assert article.date == "2025-11-04"


def test_front_matter_title_and_quoted_values(src: Path) -> None:
    write(src, "a.md", "---\nTitle: \"Quoted Title\"\npublisher: 'Daily Post'\n---\nBody.\n")
    article = ingest([src]).articles[0]
    assert article.title == "Quoted Title"
    assert (article.outlet, article.outlet_source) == ("Daily Post", "front_matter")


def test_source_line_in_text_names_the_outlet(src: Path) -> None:
    write(src, "b.txt", "Port strike ends\n\nSource: Foo News\n\nDock workers returned.\n")
    article = ingest([src]).articles[0]
    assert (article.outlet, article.outlet_source) == ("Foo News", "text")


def test_lone_source_word_is_not_an_outlet() -> None:
    # seed 001 carries a bare "Source" line (a widget label): no outlet is read from it
    assert read_article(SEED_FILES[1]).outlet_source == "title"


def test_manifest_in_folder_wins(src: Path) -> None:
    write(src, "a.txt", "Port strike ends\n\nSource: Foo News\n\nDock workers returned.\n")
    write(src, "b.md", "---\noutlet: Example Times\n---\nBridge reopens.\n")
    write(src, "c.txt", GOOD)
    write(
        src,
        "sources.toml",
        '[sources."a.txt"]\noutlet = "X"\n\n'
        '[sources."b.md"]\noutlet = "Y"\ntitle = "Manifest title"\nurl = "https://y.example/b"\n',
    )
    result = ingest([src])
    by_name = {Path(a.path).name: a for a in result.articles}
    assert sorted(by_name) == ["a.txt", "b.md", "c.txt"]  # the manifest itself is no article
    assert (by_name["a.txt"].outlet, by_name["a.txt"].outlet_source) == ("X", "manifest")
    assert (by_name["b.md"].outlet, by_name["b.md"].outlet_source) == ("Y", "manifest")
    assert by_name["b.md"].title == "Manifest title"
    assert by_name["b.md"].url == "https://y.example/b"
    assert (by_name["c.txt"].outlet, by_name["c.txt"].outlet_source) == ("c", "file")


def test_explicit_manifest_argument(src: Path) -> None:
    article = write(src / "in", "a.txt", GOOD)
    manifest = write(src, "meta.toml", '[sources."a.txt"]\noutlet = "Harbour Herald"\n')
    result = ingest([article], manifest=manifest)
    assert result.articles[0].outlet == "Harbour Herald"


def test_malformed_manifest_raises_input_error(src: Path) -> None:
    write(src, "a.txt", GOOD)
    manifest = write(src, "sources.toml", '[sources."a.txt"\noutlet = "X"\n')
    with pytest.raises(InputError, match="manifest") as info:
        ingest([src])
    assert str(manifest) in str(info.value)


# --- HTML --------------------------------------------------------------------------------

ARTICLE_SENTENCES = [
    "The harbour bridge reopened to traffic on Tuesday morning after eleven months of "
    "structural repairs that cost the city council more than forty million dollars.",
    "Engineers replaced corroded cables and resurfaced the main deck, according to the "
    "council's chief engineer, who said the work was finished two weeks ahead of schedule.",
    "Commuters welcomed the reopening, which is expected to cut travel times between the "
    "northern suburbs and the city centre by up to twenty minutes during peak hours.",
    "The council said it would publish a full report on the project budget and timeline before "
    "the end of the year, including a breakdown of contractor payments.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Harbour bridge reopens after repairs | Example Herald</title>
<meta property="og:site_name" content="Example Herald">
<meta property="og:title" content="Harbour bridge reopens after repairs">
</head>
<body>
<nav><ul>
<li><a href="/">Home</a></li>
<li><a href="/world">World news menu</a></li>
<li><a href="/sport">Sport section link</a></li>
</ul></nav>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience.
Accept all cookies?</div>
<article>
<h1>Harbour bridge reopens after repairs</h1>
{"".join(f"<p>{s}</p>" for s in ARTICLE_SENTENCES)}
</article>
<footer><p>Copyright Example Herald footer text. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
</body>
</html>
"""


def test_html_article_is_extracted_without_page_chrome(src: Path) -> None:
    write(src, "page.html", PAGE)
    article = ingest([src]).articles[0]
    for sentence in ARTICLE_SENTENCES:
        assert sentence in article.text
    for chrome in ["World news menu", "Sport section", "cookies", "footer text", "Privacy policy"]:
        assert chrome not in article.text, chrome
    assert "<p>" not in article.text
    assert article.title == "Harbour bridge reopens after repairs"


def test_html_site_name_becomes_metadata_outlet(src: Path) -> None:
    write(src, "page.htm", PAGE)
    article = ingest([src]).articles[0]
    assert (article.outlet, article.outlet_source) == ("Example Herald", "metadata")


def test_html_without_site_name_falls_back_to_file_stem(src: Path) -> None:
    page = PAGE.replace('<meta property="og:site_name" content="Example Herald">', "")
    page = page.replace(" | Example Herald", "").replace("Example Herald footer text", "footer")
    write(src, "herald-bridge.html", page)
    article = ingest([src]).articles[0]
    assert (article.outlet, article.outlet_source) == ("herald-bridge", "file")


def test_html_without_article_text_is_skipped(src: Path) -> None:
    write(
        src,
        "empty.html",
        "<html><head><title>Gallery</title></head><body><script>var a = 1;</script>"
        '<img src="x.png"></body></html>',
    )
    write(src, "good.txt", GOOD)
    result = ingest([src])
    assert [Path(a.path).name for a in result.articles] == ["good.txt"]
    assert "no article text" in reasons(result)["empty.html"]


# --- bad files ---------------------------------------------------------------------------


def test_bad_files_are_skipped_with_reasons(src: Path) -> None:
    write(src, "a_good.txt", GOOD)
    write(src, "b_binary.txt", b"GIF89a\x01\x00\x00\x00\xff binary junk")
    write(src, "c_empty.txt", "")
    write(src, "d_blank.md", " \n\n\t\n")
    write(src, "e_noise.txt", NOISE)
    write(src, "f_other.txt", OTHER)
    result = ingest([src])
    assert [Path(a.path).name for a in result.articles] == ["a_good.txt", "f_other.txt"]
    why = reasons(result)
    assert set(why) == {"b_binary.txt", "c_empty.txt", "d_blank.md", "e_noise.txt"}
    assert "binary" in why["b_binary.txt"] and "NUL" in why["b_binary.txt"]
    assert "empty" in why["c_empty.txt"]
    assert "empty" in why["d_blank.md"]
    assert why["e_noise.txt"] == "binary file, not text (no text encoding fits its bytes)"
    assert all(Path(s.path).parent == src for s in result.skipped)


# --- encodings ---------------------------------------------------------------------------

FRENCH = (
    "Le café de la gare ferme ses portes\n\n"
    "Le café de la gare a fermé ses portes mardi après quarante ans. Les commerçants du "
    "quartier s'inquiètent : « C'est la fin d'une époque », a déclaré le maire, qui évoque un "
    "coût de rénovation trop élevé. Les élèves du lycée voisin y prenaient leur goûter.\n"
)
# cp1252's own bytes: 0x93/0x94 are curly double quotes, 0x92 the apostrophe, 0x80 the euro.
CP1252_QUOTES = (
    "Prices at the harbour café rose again\n\n"
    "\u201cWe had no choice,\u201d the owner said, adding that a coffee now costs \u20ac3.20. "
    "The council\u2019s report blames energy prices.\n"
)
# No NUL byte, yet no text: bytes that no encoding reads as plausible text.
NOISE = bytes(range(0x80, 0x100)) * 8


def test_latin1_french_article_is_read_and_says_how(src: Path) -> None:
    data = FRENCH.encode("latin-1")
    assert b"caf\xe9" in data and b"commer\xe7ants" in data  # real Latin-1 bytes
    path = write(src, "gare.txt", data)
    article = ingest([src]).articles[0]
    assert article.text == FRENCH
    assert article.title == "Le café de la gare ferme ses portes"
    assert article.encoding == "cp1252"  # Latin-1's printable range, read as browsers do
    assert article.encoding_note() == f"{path}: not UTF-8, read as cp1252"


def test_cp1252_curly_quotes_and_euro_are_read(src: Path) -> None:
    data = CP1252_QUOTES.encode("cp1252")
    assert {b"\x93", b"\x94", b"\x92", b"\x80"} <= {data[i : i + 1] for i in range(len(data))}
    write(src, "prices.txt", data)
    article = ingest([src]).articles[0]
    assert article.text == CP1252_QUOTES
    assert "\u201cWe had no choice,\u201d" in article.text and "\u20ac3.20" in article.text
    assert article.encoding == "cp1252"


def test_utf8_needs_no_note(src: Path) -> None:
    write(src, "a.txt", FRENCH)
    article = ingest([src]).articles[0]
    assert article.encoding == "utf-8" and article.encoding_note() is None


def _page(meta: str, body: str) -> str:
    return (
        f"<html><head>{meta}<title>La place du marché</title></head><body><article>"
        f"<h1>La place du marché</h1><p>{body}</p></article></body></html>"
    )


MARKET = (
    "Le cœur de la ville bat encore, a déclaré le maire, qui chiffre la rénovation de la place "
    "du marché à 5 000 € et promet des travaux avant l'été. Les commerçants sont soulagés."
)


def test_html_meta_charset_is_respected(src: Path) -> None:
    """Latin-9 puts œ at 0xBD and € at 0xA4, where cp1252 has ½ and ¤: only the page's own
    declaration tells them apart."""
    page = _page('<meta charset="iso-8859-15">', MARKET)
    write(src, "marche.html", page.encode("iso-8859-15"))
    article = ingest([src]).articles[0]
    assert MARKET in article.text
    assert article.encoding == "iso8859-15"


def test_html_meta_latin1_is_read_as_cp1252_like_browsers_do(src: Path) -> None:
    body = "\u201cC\u2019est la fin\u201d, a dit le maire du coût de 5 000 \u20ac. " + MARKET
    page = _page('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', body)
    write(src, "fin.html", page.encode("cp1252"))
    article = ingest([src]).articles[0]
    assert body in article.text  # no C1 control characters where the quotes were
    assert article.encoding == "cp1252"


def test_html_without_declaration_is_detected(src: Path) -> None:
    write(src, "gare.html", _page("", FRENCH.replace("\n", " ")).encode("latin-1"))
    article = ingest([src]).articles[0]
    assert "Les commerçants du quartier s'inquiètent" in article.text
    assert article.encoding == "cp1252"


def test_file_too_large_is_refused_before_it_is_read(src: Path) -> None:
    huge = src / "dump.txt"
    with huge.open("wb") as f:  # sparse: no disk used, and all NUL if it were read
        f.truncate(MAX_FILE_BYTES + 1)
    write(src, "good.txt", GOOD)
    result = ingest([src])
    assert [Path(a.path).name for a in result.articles] == ["good.txt"]
    assert reasons(result)["dump.txt"] == (
        "50.0 MB, over the 50 MB limit for one input file (no article is that large)"
    )


def test_utf8_bom_is_not_part_of_the_text(src: Path) -> None:
    write(src, "bom.txt", "\ufeff" + GOOD)
    article = ingest([src]).articles[0]
    assert article.text == GOOD
    assert article.title == "Bridge reopens"


def test_explicit_unsupported_file_is_skipped(src: Path) -> None:
    good = write(src, "good.txt", GOOD)
    pdf = write(src, "report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    result = ingest([good, pdf])
    assert [a.path for a in result.articles] == [str(good)]
    assert [s.path for s in result.skipped] == [str(pdf)]
    assert "unsupported" in result.skipped[0].reason
    assert ".pdf" in result.skipped[0].reason


def test_duplicate_text_is_skipped_as_duplicate(src: Path) -> None:
    first = write(src, "a.txt", GOOD)
    write(src, "b.txt", OTHER)
    second = write(src, "sub/copy.txt", GOOD)
    result = ingest([src])
    assert [Path(a.path).name for a in result.articles] == ["a.txt", "b.txt"]
    assert [s.path for s in result.skipped] == [str(second)]
    assert "duplicate" in result.skipped[0].reason
    assert str(first) in result.skipped[0].reason


def test_folder_without_usable_files_raises_naming_it(src: Path) -> None:
    folder = src / "inbox"
    write(folder, "empty.txt", "")
    write(folder, "bin.md", b"\x00\x01\x02")
    write(folder, "notes.pdf", b"%PDF-1.7")
    with pytest.raises(NoArticlesError) as info:
        ingest([folder])
    assert str(folder) in str(info.value)
    assert "2 skipped" in str(info.value)


def test_empty_folder_raises_no_articles(src: Path) -> None:
    folder = src / "nothing-here"
    folder.mkdir()
    with pytest.raises(NoArticlesError, match=re.escape(str(folder))):
        ingest([folder])


def test_missing_path_raises_input_error_naming_it(src: Path) -> None:
    missing = src / "no-such-folder"
    with pytest.raises(InputError) as info:
        ingest([SEEDS, missing])
    assert not isinstance(info.value, NoArticlesError)
    assert str(missing) in str(info.value)


def test_hidden_files_and_folders_are_ignored(src: Path) -> None:
    write(src, "visible.txt", GOOD)
    write(src, "sub/nested.md", OTHER)
    write(src, ".hidden.txt", "Hidden draft\n\nNot for the briefing.\n")
    write(src, ".git/notes.txt", "Git notes\n\nInternal.\n")
    write(src, "sub/.cache/page.html", PAGE)
    result = ingest([src])
    assert [Path(a.path).relative_to(src).as_posix() for a in result.articles] == [
        "sub/nested.md",
        "visible.txt",
    ]
    assert result.skipped == []


def test_hidden_parent_of_the_given_folder_does_not_hide_it(src: Path) -> None:
    folder = src / ".briefings" / "today"
    write(folder, "a.txt", GOOD)
    assert len(ingest([folder]).articles) == 1


def test_files_and_folders_mixed_keep_argument_order(src: Path) -> None:
    single = write(src / "one", "z.txt", OTHER)
    result = ingest([single, SEEDS])
    assert [Path(a.path) for a in result.articles] == [single, *SEED_FILES]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_text_not_binary(src: Path, codec: str) -> None:
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[codec]
    data = bom + FRENCH.encode(codec)  # Python's utf-16/utf-32 codecs write their own BOM
    assert b"\x00" in data
    write(src, "gare.txt", data)
    article = ingest([src]).articles[0]
    assert article.text == FRENCH
    assert article.encoding == codec[:6]


def test_a_page_without_a_title_is_titled_by_its_headline() -> None:
    text = "Metro Wire.Harbour Bridge Reopens After Repairs\n\nThe bridge reopened on Tuesday.\n"
    page = read_page(text, "https://metro.example/bridge", html=False)
    assert page.title == "Harbour Bridge Reopens After Repairs"
    assert (page.outlet, page.outlet_source) == ("metro.example", "url")
    titled = read_page(text, "https://metro.example/b", html=False, title="Feed entry title")
    assert titled.title == "Feed entry title"


# --- what is not a regular file, and the article limit --------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_fifos_devices_and_links_to_them_are_skipped_not_opened(src: Path) -> None:
    good = write(src, "good.txt", GOOD)
    named, named_txt = src / "fifo", src / "pipe.txt"
    folder = src / "folder"
    write(folder, "other.txt", OTHER)
    inner = folder / "inner.md"
    for fifo in (named, named_txt, inner):
        os.mkfifo(fifo)
    (folder / "link.txt").symlink_to(named_txt)
    (folder / "zero.html").symlink_to("/dev/zero")
    try:
        result = bounded(lambda: ingest([named, named_txt, Path("/dev/zero"), good, folder]))
    finally:
        release(named, named_txt, inner)
    assert [Path(a.path) for a in result.articles] == [good, folder / "other.txt"]
    pipe = "a named pipe (FIFO), not a regular file: not read"
    device = "a character device, not a regular file: not read"
    assert {s.path: s.reason for s in result.skipped} == {
        str(named): pipe,
        str(named_txt): pipe,
        "/dev/zero": device,
        str(inner): pipe,
        str(folder / "link.txt"): pipe,
        str(folder / "zero.html"): device,
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_manifest_that_is_a_fifo_is_refused_not_waited_on(src: Path) -> None:
    good = write(src, "good.txt", GOOD)
    manifest = src / "sources.toml"
    os.mkfifo(manifest)
    try:
        with pytest.raises(InputError) as info:
            bounded(lambda: ingest([good], manifest=manifest))
    finally:
        release(manifest)
    assert str(info.value).startswith(f"{manifest}: unreadable manifest (a named pipe (FIFO)")


def test_a_folder_is_walked_in_the_order_of_its_relative_paths(src: Path) -> None:
    names = ["b.txt", "b/c.txt", "b-c.txt", "B.txt", "a b.txt", "é.txt", "b/a/z.md", "b.d/x.txt"]
    for n, name in enumerate(names):
        write(src, name, f"Story {n}\n\nThe council met on day {n} to vote on the budget.\n")
    found = [Path(a.path).relative_to(src).as_posix() for a in ingest([src]).articles]
    assert found == sorted(names)


def test_a_folder_over_the_article_limit_is_refused_after_one_article_too_many(
    src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [
        write(src, f"{n:02}.txt", f"Story {n}\n\nThe council met on day {n} to vote.\n")
        for n in range(30)
    ]
    opened: list[str] = []
    real_open = os.open

    def counting_open(path: Any, *args: Any, **kw: Any) -> int:
        opened.append(str(path))
        return real_open(path, *args, **kw)

    monkeypatch.setattr(os, "open", counting_open)
    with pytest.raises(InputError) as info:
        ingest([src], max_articles=3)
    monkeypatch.undo()
    assert str(info.value) == (
        f"{src}: 30 article files, more than the 3 articles one briefing takes: brief fewer, "
        "or raise the limit with --max-articles (max_articles in the config)."
    )
    assert opened == [str(f) for f in files[:4]]  # the rest was listed, never read
    assert len(ingest([src], max_articles=30).articles) == 30


def test_only_usable_articles_count_toward_the_limit(src: Path) -> None:
    write(src, "a.txt", GOOD)
    write(src, "b.txt", OTHER)
    write(src, "c.txt", GOOD)  # a duplicate of a.txt
    write(src, "d.txt", "  \n")
    write(src, "e.txt", "Bakery wins prize\n\nA bakery on Dock Road won a national prize.\n")
    result = ingest([src], max_articles=3)
    assert len(result.articles) == 3 and sorted(reasons(result)) == ["c.txt", "d.txt"]


def test_named_files_over_the_limit_are_shown_as_the_first_three_and_how_many_more(
    src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("briefer.ingest.files.COUNT_CAP", 2)
    paths = [
        write(src, f"{n}.txt", f"Story {n}\n\nThe council voted {n} times.\n") for n in range(8)
    ]
    with pytest.raises(InputError) as info:
        ingest(paths, max_articles=2)
    # Three read, two more listed: the count stopped there.
    assert str(info.value).startswith(f"{paths[0]}, {paths[1]}, {paths[2]} and 5 more: over 5 ")
