"""Quoted people: the words an article puts inside quotation marks, with who said them.

Only text inside quotation marks counts (“…”, "…", «…», and ‘…’ when its closing mark is no
apostrophe), at least four words long (shorter bits are scare quotes and names), and only with
a speaker the text itself names next to it: `"…," said X`, `X said (that) "…"`, `X, the
minister, said "…"`, `X described … as "…"`, `X wrote: "…"`, `according to X`, or a pronoun
("he said") whose named speaker stands in the same or the previous sentence. A title is dropped
("Chinese Premier Li Qiang" is "Li Qiang"); a role ("the Kremlin", "a spokesperson") is kept as
the speaker. A quote whose speaker cannot be found is left out: nothing is guessed.

The quote is the article's own text between the marks, so `checks.verify.quote_in` finds it.
All patterns are bounded and linear: article text is hostile.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import islice

from ..checks.verify import normalize
from ..schemas.briefing import QuotedSource
from ..text.sentences import Span, sentence_spans

MIN_WORDS = 4
_MAX_CHARS = 600  # longer "quotes" are misparsed marks, not speech
_MAX_QUOTES = 200  # quotation marks looked at per article; real articles have far fewer
_BEFORE_CHARS, _AFTER_CHARS, _PREVIOUS_CHARS = 300, 200, 400

_MARKS = (
    re.compile(r"“([^“”\n]{1,600})”"),
    re.compile(r'(?<![\w"])"(?=\S)([^"\n]{1,600})(?<=\S)"(?!\w)'),
    re.compile(r"«([^«»\n]{1,600})»"),
    # ‘…’: the opening mark starts a word; inside, ’ is an apostrophe only before a letter
    # ("Russia’s"); the closing ’ has none after it.
    re.compile(r"(?<!\w)‘(?=\S)((?:[^‘’\n]|’(?=\w)){1,600}?)(?<=\S)’(?!\w)"),
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_NAME_WORDS = frozenset({"of", "the", "and", "for", "a", "an", "in", "on", "to", "at", "de"})

_VERBS = (
    r"(?:said|says|say|told|tells|added|adds|wrote|writes|stated|states|declared|declares|"
    r"noted|notes|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|insisted|insists|warned|warns|"
    r"urged|urges|argued|argues|claimed|claims|explained|explains|described|describes|called|"
    r"calls|praised|praises|remarked|recalled|announced|announces|asserted|asserts|"
    r"acknowledged|admitted|replied|responded|posted|tweeted|reaffirmed|pledged|vowed|"
    r"promised|suggested|complained|predicted|concluded|cautioned|commented|reported|spoke|"
    r"{participles})"
)
_PARTICIPLES = (
    r"saying|adding|describing|calling|noting|warning|writing|telling|stressing|"
    r"emphasi[sz]ing|insisting|reaffirming|arguing|declaring|urging|praising"
)
_ROLE_HEADS = (
    r"(?:spokes(?:man|woman|person|people)|officials?|ministry|government|embassy|statement|"
    r"sources?|diplomats?|analysts?|lawmakers?|experts?|authorities|agency|broadcaster|"
    r"newspaper|media|police|military|president|premier|minister|leader|chancellor|secretary|"
    r"ambassador|envoy|governor|mayor|representative|spokesperson)"
)
_ROLE_MODIFIERS = (
    r"(?:state|senior|top|foreign|government|military|western|local|news|press|defen[cs]e|"
    r"security|trade|finance|economy|energy|opposition|party|company|industry)"
)
# A run of capitalised words, with name particles and title connectors inside.
_RUN = r"[A-Z][\w'’.-]*(?:\s+(?:(?:of|and|de|van|von|bin|al|la|le|du|da)\s+)?[A-Z][\w'’.-]*){0,7}"
_ROLE = (
    rf"(?:(?:the|a|an|The|A|An)\s+(?:[\w-]+\s+){{0,2}}?{_ROLE_HEADS}"
    rf"|(?:[A-Z][\w'’.-]*\s+){{0,2}}(?:{_ROLE_MODIFIERS}\s+)?{_ROLE_HEADS})"
)
_SUBJECT = rf"(?P<subj>[Hh]e|[Ss]he|[Tt]hey|{_ROLE}|(?:(?:the|The)\s+)?{_RUN})"
_APPOSITIVE = (
    r"(?:,\s+(?:(?:the|a|an|who|whose|his|her|its|their)\s[^,#\n]{1,50}"
    r"|meanwhile|however|too|also|though|in turn|for (?:his|her|its|their) part),)?"
)
_AUX = r"(?:(?:has|have|had|was|is|would|will|also|later|then|again|once|[a-z]+ly)\s+){0,2}"
_VERB = _VERBS.format(participles=_PARTICIPLES)

# "X (, the minister,) (also) said": the subject right before its verb.
_SUBJECT_VERB = re.compile(rf"(?<![\w'’-]){_SUBJECT}{_APPOSITIVE}\s+{_AUX}(?P<verb>{_VERB})\b")
# After the closing mark: `," he said` / `," said X`.
_AFTER_SUBJECT_VERB = re.compile(
    rf"[\s,.!?;:—–-]*{_SUBJECT}{_APPOSITIVE}\s+{_AUX}(?P<verb>{_VERB})\b"
)
_AFTER_VERB_SUBJECT = re.compile(rf"[\s,.!?;:—–-]*(?:{_VERB})\s+{_SUBJECT}")
_ACCORDING = re.compile(
    rf"\baccording to\s+(?P<subj>(?:(?:the|a|an)\s+)?(?:[a-z][\w-]*\s+){{0,3}}?{_RUN}|{_ROLE})"
)
_PARTICIPLE = re.compile(rf",\s+(?:{_PARTICIPLES})\b")
# The sentence's own subject, at its start, followed by its (lowercase) verb.
_OPENING_SUBJECT = re.compile(rf"\s*{_SUBJECT}{_APPOSITIVE}\s+{_AUX}[a-z]")

# "Qiang." ends a sentence; "U.S." and "J." do not lose their stops.
_SENTENCE_STOP = re.compile(r"(?<=[^\W\d_][^\W\d_])\.$")
_PRONOUNS = frozenset({"he", "she", "they"})
_TITLES = frozenset(
    """
    president premier prime minister ministers chancellor secretary deputy vice foreign
    defence defense trade industry finance economy interior spokesman spokeswoman spokesperson
    senator sen rep representative gov governor mayor king queen prince princess general gen
    chairman chairwoman chair ceo chief executive director ambassador envoy commissioner leader
    mr mrs ms dr prof professor pope judge officer lt col capt admiral adm sgt colonel captain
    lieutenant state councillor counselor attorney u.s us uk eu un
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_ORGS = frozenset(
    """
    department ministry office council committee agency commission house bank fund
    organization organisation union party government kremlin embassy court parliament
    """.split()  # noqa: SIM905
)
# Capitalised only because they start a sentence or a clause: never part of a name.
_STARTERS = frozenset(
    """
    the a an but and or so yet in on at for from to with by of during after before while when
    where as since though although if meanwhile however despite still also then now later
    earlier today yesterday tomorrow this that these those there here it its his her their our
    my we i you both all some many most several other another such what which who why how
    according speaking asked last next first separately instead indeed moreover further again
    once not no only even just perhaps calling monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november december
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class _Quote:
    start: int  # the opening mark
    end: int  # after the closing mark
    words: str  # what stands between the marks


def _quotes(text: str) -> list[_Quote]:
    """The first _MAX_QUOTES quotations in `text` by position; one nested in or crossing an
    earlier one is dropped (a ‘…’ inside “…” belongs to the outer quote)."""
    found = sorted(
        (m.start(), m.end(), m.group(1))
        for pattern in _MARKS
        for m in islice(pattern.finditer(text), _MAX_QUOTES)
    )
    kept: list[_Quote] = []
    for start, end, words in found[:_MAX_QUOTES]:
        if not kept or start >= kept[-1].end:
            kept.append(_Quote(start, end, words))
    return kept


def _masked(text: str, quotes: list[_Quote]) -> str:
    """`text` with every quotation blanked out, so its words never pass for a speaker."""
    pieces: list[str] = []
    pos = 0
    for q in quotes:
        pieces += [text[pos : q.start], "#" * (q.end - q.start)]
        pos = q.end
    pieces.append(text[pos:])
    return "".join(pieces)


def _is_speech(words: str) -> bool:
    """At least MIN_WORDS words, and not a name or title (every word capitalised)."""
    tokens = _WORD.findall(words)
    if len(tokens) < MIN_WORDS:
        return False
    return not all(t[0].isupper() or t[0].isdigit() or t in _NAME_WORDS for t in tokens)


def _split_run(words: list[str]) -> tuple[list[str], str, list[str]]:
    """(lowercase words before, "the" if it opened the run, the closing run of capitalised
    words without its sentence-starting words and final full stop)."""
    caps = len(words)
    while caps > 0 and (words[caps - 1][0].isupper() or words[caps - 1] in _NAME_WORDS):
        caps -= 1
    before, run = words[:caps], words[caps:]
    article = ""
    while run and run[0].casefold() in _STARTERS:
        article = "the" if run[0].casefold() == "the" else ""
        run = run[1:]
    if run and _SENTENCE_STOP.search(run[-1]):
        run[-1] = run[-1][:-1]
    return before, article, run


def _name(run: list[str]) -> str | None:
    """The person's name in a run, titles dropped ("Chinese Premier Li Qiang" is "Li Qiang");
    None for an organisation or a bare title."""
    if run[-1].casefold() in _ORGS:
        return None
    titles = [i for i, w in enumerate(run) if w.casefold().rstrip(".") in _TITLES]
    name = run[titles[-1] + 1 :] if titles else run
    return " ".join(name) if name else None


def _who(subject: str) -> str | None:
    """The speaker a matched subject names: a name without its titles, a role ("a
    spokesperson", "the Kremlin"), a pronoun (lowercase, to be resolved), or None."""
    words = subject.split()
    if words[-1][0].islower():
        return words[0].casefold() if words[0].casefold() in _PRONOUNS else " ".join(words)
    before, article, run = _split_run(words)
    if not run:
        return None
    if len(run) == 1 and run[0].casefold() in _PRONOUNS:
        return run[0].casefold()
    return _name(run) or " ".join([*before, *([article] if article else []), *run])


def _last_subject(segment: str) -> str | None:
    """The speaker of the last `X said` in `segment`, if it names one."""
    found: str | None = None
    for m in _SUBJECT_VERB.finditer(segment):
        found = _who(m.group("subj")) or found
    return found


@dataclass
class _Context:
    """What stands around one quotation, quotations blanked out, each part bounded."""

    opening: str  # the start of the quotation's sentence
    before: str  # the sentence up to the opening mark
    after: str  # from the closing mark to the sentence's end
    previous: str  # the sentence before


def _own_speaker(ctx: _Context) -> str | None:
    """The speaker the quotation's own sentence names, in order of closeness."""
    for pattern in (_AFTER_SUBJECT_VERB, _AFTER_VERB_SUBJECT):
        m = pattern.match(ctx.after)
        if m and (who := _who(m.group("subj"))):
            return who
    if who := _last_subject(ctx.before):
        return who
    participle = _PARTICIPLE.search(ctx.before)
    if participle and (m := _OPENING_SUBJECT.match(ctx.opening)) and (who := _who(m["subj"])):
        return who
    for segment in (ctx.after, ctx.before):
        if m := _ACCORDING.search(segment):
            return _who(m.group("subj"))
    return None


def _resolve(who: str | None, ctx: _Context, recent: list[str]) -> str | None:
    """A pronoun becomes the named speaker of this or the previous sentence; a quotation
    with no speaker in its sentence takes one only from a previous `X said:`."""
    if who is None:
        intro = ctx.previous.rstrip()
        return _named(_last_subject(intro)) if intro.endswith(":") else None
    if who not in _PRONOUNS:
        return who
    if recent:
        return recent[-1]
    return _named(_last_subject(ctx.previous)) or _named(_last_subject(ctx.before))


def _named(who: str | None) -> str | None:
    return None if who is None or who in _PRONOUNS else who


def _context(masked: str, spans: list[Span], index: int, q: _Quote) -> _Context:
    a, b = spans[index]
    pa, pb = spans[index - 1] if index > 0 else (a, a)
    return _Context(
        opening=masked[a : min(q.start, a + _BEFORE_CHARS)],
        before=masked[max(a, q.start - _BEFORE_CHARS) : q.start],
        after=masked[q.end : min(b, q.end + _AFTER_CHARS)],
        previous=masked[max(pa, pb - _PREVIOUS_CHARS) : pb],
    )


def quoted_people(text: str, limit: int = 4) -> list[QuotedSource]:
    """Up to `limit` quotations of at least MIN_WORDS words with the speaker the article
    names next to them, in order of position, each quote once, verbatim."""
    quotes = _quotes(text)
    if not quotes or limit <= 0:
        return []
    # Sentences past the last quotation looked at are of no use: they are not split.
    head = text[: quotes[-1].end + _AFTER_CHARS]
    spans = sentence_spans(head, [(q.start, q.end) for q in quotes])
    starts = [a for a, _ in spans]
    masked = _masked(text, quotes)
    speakers: dict[int, str] = {}  # sentence index -> last named speaker in it
    out: list[QuotedSource] = []
    seen: set[str] = set()
    for q in quotes:
        if len(out) >= limit:
            break
        words = q.words.strip().rstrip(",;:").rstrip()
        key = normalize(words)
        if key in seen or not _is_speech(words):
            continue
        index = max(0, bisect.bisect_right(starts, q.start) - 1)
        ctx = _context(masked, spans, index, q)
        recent = [speakers[i] for i in (index - 1, index) if i in speakers]
        who = _resolve(_own_speaker(ctx), ctx, recent)
        if who:
            speakers[index] = who
            seen.add(key)
            out.append(QuotedSource(who=who, quote=words))
    return out
