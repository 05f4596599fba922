"""A sample briefing with every section filled and hostile text in every field an article,
outlet or model reply can reach (a script tag, a Markdown link, inline code), for the
render, CLI and bench tests. `briefing(field=...)` overrides a field."""

from __future__ import annotations

from briefer.schemas.briefing import (
    BriefContradiction,
    Briefing,
    Cited,
    OutletComparison,
    QuotedSource,
    RunMeta,
    Side,
    Skipped,
    SourceRef,
    StepUsage,
    Takeaway,
    Verification,
)
from briefer.schemas.replies import LoadedPhrase

from .hostile import SCRIPT

LINK = "[link](http://evil)"
CODE = "`code`"
ID1, ID2 = "a67a8f4e83eb", "c705a4d7a504"


def outlet(article_id: str, label: str, name: str, title: str) -> OutletComparison:
    return OutletComparison(
        article_id=article_id,
        label=label,
        outlet=name,
        title=title,
        genre="news_report",
        tone="neutral",
        framing=f"Moscow courts Beijing {LINK}",
        lead=f"Mishustin arrived in Hangzhou {SCRIPT}.",
        only_here=[f"Li praised the ties {LINK}", "A gas deal was signed"],
        omissions=["AI cooperation (reported by World Blog, CNBC)"],
        quoted_sources=[QuotedSource(who="Mishustin", quote=f"dear friend {SCRIPT}")],
        loaded_wording=[LoadedPhrase(quote="illegal Western sanctions", neutral="sanctions")],
        claims={"reported_fact": 3, "attributed_statement": 2, "opinion": 1},
        opinion_share=1 / 6,
    )


def briefing(**overrides: object) -> Briefing:
    values: dict[str, object] = {
        "title": f"Russia courts China {SCRIPT}",
        "summary": [
            Cited(text=f"Mishustin visited Hangzhou {SCRIPT}.", citations=[ID2, ID1]),
            Cited(text=f"Trade grew {LINK}.", citations=[ID1]),
            Cited(text="A sentence citing nothing known.", citations=["ffffffffffff"]),
        ],
        "outlets": [
            outlet(ID1, "A1", f"CNBC {SCRIPT}", "Russia looks to cosy up with China"),
            outlet(ID2, "A2", "World Blog", f"Overview {CODE}"),
        ],
        "contradictions": [
            BriefContradiction(
                topic="Size of China-Russia trade",
                sides=[
                    Side(
                        article_id=ID1, outlet="CNBC", quote="bilateral trade topped $250 billion"
                    ),
                    Side(
                        article_id=ID2,
                        outlet="World Blog",
                        quote="bilateral trade surpassing $240 billion in 2024",
                    ),
                ],
                note=f"Different periods {CODE}.",
            )
        ],
        "takeaways": [
            Takeaway(rank=1, text=f"Ties deepen {CODE}.", citations=[ID1, ID2]),
            Takeaway(rank=2, text="Trade cooled.", citations=[ID2]),
        ],
        "sources": [
            SourceRef(
                id=ID1,
                label="A1",
                outlet=f"CNBC {SCRIPT}",
                title=f"Russia looks to cosy up {LINK}",
                path="seeds/001.txt",
            ),
            SourceRef(
                id=ID2,
                label="A2",
                outlet="World Blog",
                title=f"Overview {CODE}",
                path="seeds/002.txt",
                url="https://example.org/overview",
            ),
        ],
        "verification": Verification(
            quotes_total=7,
            quotes_verified=5,
            citations_total=9,
            citations_valid=8,
            items_dropped=2,
            flagged=[
                "A1: removed unverifiable quote 'we never said this'",
                f"dropped uncited summary sentence: '{SCRIPT}'",
            ],
        ),
        "run": RunMeta(
            model="gpt-4.1-mini",
            endpoint="http://127.0.0.1:8080/v1",
            structured_output="json_schema",
            prompt_version="p1",
            started_at="2025-11-04T10:00:00+00:00",
            wall_seconds=12.34,
            tokens_before_clean=5000,
            tokens_after_clean=4100,
            model_calls=6,
            cached_calls=1,
            prompt_tokens=9000,
            completion_tokens=1200,
            cost_usd=None,
            steps=[StepUsage(step="analyse", calls=2, prompt_tokens=9000)],
            skipped=[Skipped(path="in/report.pdf", reason="unsupported file type '.pdf'")],
        ),
    }
    values.update(overrides)
    return Briefing.model_validate(values)
