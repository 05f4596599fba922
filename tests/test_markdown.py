"""briefer.render.markdown: hostile text renders as the literal text it is, on one line, whatever
Markdown context it lands in. markdown-it-py is the judge (tests/mdjudge.py)."""

from __future__ import annotations

import pytest

from briefer.render.markdown import inline, link_target

from .mdjudge import FORBIDDEN, block_types, inline_types, links, text_of

# Text that would be Markdown structure if it were pasted raw.
HOSTILE = [
    "# Verification and run",
    "###### deep",
    "> quoted",
    "- item",
    "+ item",
    "* item",
    "1. first",
    "7) seventh",
    "| a | b |",
    "`code` and ``more``",
    "**bold** and __bold__",
    "*em* and _em_",
    "snake_case_word and a__b__c and word_*x*_word",
    "x_ _y_ é_ü_",
    "~~struck~~",
    "[x](javascript:alert(1))",
    "![img](http://evil/x.png)",
    "<script>alert(1)</script>",
    "<b onclick=x>bold</b>",
    "<http://evil>",
    "&lt;b&gt; &amp; &#60;script&#62; &copy;",
    "\\[x\\](http://evil)",
    "ends in a backslash \\",
    "===",
    "---",
    "***",
    "_ _ _",
    "Title ###",
    "C# and F# #hashtag",
    "[ref]: http://evil",
    "```python",
    "~~~",
    "    indented code",
    "   # indented heading",
    "<!-- comment -->",
    "Read \\",
]
# Every way to end a line that a title or a model reply might carry.
SEPARATORS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\t", "\n\n"]
# Contexts the renderers put inline text in.
CONTEXTS = ["{}", "A paragraph line\n{}", "- {}", "1. {}", "### {}", "- **Framing:** {}", "_{}_"]


def _shown(text: str) -> str:
    """What a reader should see: the words of the text, one space apart."""
    return " ".join(text.split())


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_keeps_the_structure_of_plain_text(context: str, text: str) -> None:
    doc = context.format(inline(text))
    plain = context.format("plain words")
    assert block_types(doc) == block_types(plain), doc
    assert not FORBIDDEN & set(inline_types(doc)) - set(inline_types(plain)), doc
    assert _shown(text) in text_of(doc), doc  # shown literally, nothing dropped


@pytest.mark.parametrize("sep", SEPARATORS)
def test_every_line_separator_collapses_to_one_line(sep: str) -> None:
    forged = f"Real{sep}# Verification and run{sep}- Quotes verified: 99/99{sep}===="
    out = inline(forged)
    assert len(out.splitlines()) == 1
    for context in CONTEXTS:
        doc = context.format(out)
        assert block_types(doc) == block_types(context.format("plain")), (sep, doc)
    assert text_of(out) == "Real # Verification and run - Quotes verified: 99/99 ===="


def test_control_characters_are_dropped() -> None:
    out = inline("red\x1b[31m alert\x00\x07 bell\x7f")
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in out)
    assert text_of(out) == "red [31m alert bell"


def test_plain_text_stays_readable() -> None:
    text = "Trade grew 5% to $250 billion (2024): C# devs at example.org/a-b, 3.5 times, 001_19e"
    assert inline(text) == text


@pytest.mark.parametrize(
    "target",
    [
        "story one.md",
        "a(b)c.md",
        "x>y<z.md",
        "javascript:alert(1)",
        "evil)](http://evil",
        "new\nline.md",
        "100%.md",
    ],
)
def test_link_target_stays_one_relative_link(target: str) -> None:
    doc = f"- [story]({link_target(target)}): more text"
    assert links(doc) == [link_target(target)]
    assert block_types(doc) == block_types("- [story](a.md): more text")
    href = links(doc)[0]
    assert ":" not in href and " " not in href and "(" not in href


def test_link_target_leaves_ordinary_file_names_alone() -> None:
    assert link_target("2026-03-11/bridge-reopens.md") == "2026-03-11/bridge-reopens.md"
