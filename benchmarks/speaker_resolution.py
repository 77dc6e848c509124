"""Score speaker resolution alone: gold quotes and gold source mentions in, canonical names out.

    python benchmarks/speaker_resolution.py ../shared/data [--errors 30]

The immigration stance rows (``stance/immigration_{train,dev}.jsonl``) come from PolNeAR
articles and name the resolved speaker of each statement ("he" -> "Jeb Bush"). For each row this
script takes the row's PolNeAR article, builds the article's gold quotes (content spans, kind,
first source span as the mention), runs `resolve_speakers` on them, and compares the canonical
speaker of the row's quote with the row's speaker. The quote extractor plays no part, so the
figure isolates the resolver.

A prediction counts as correct when, after lower-casing and dropping punctuation and words such
as "the", one name's words contain the other's ("Joanne Lin" / "Lin"): the rows name the
same speaker sometimes by full name and sometimes by surname. Rows whose speaker is
"unattributed" are skipped. Accuracy is reported overall and by the kind of mention.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from stance.records import Quote, Span
from stance.speakers import (
    GROUP_PRONOUNS,
    ORG_PRONOUNS,
    PRONOUNS,
    RELATIVE_PRONOUNS,
    resolve_speakers,
)

FILLER_WORDS = frozenset("the a an of and mr mrs ms dr".split())


def name_words(name: str | None) -> frozenset[str]:
    words = re.findall(r"[^\W_]+", (name or "").lower())
    return frozenset(w for w in words if w not in FILLER_WORDS)


def same_speaker(predicted: str | None, gold: str) -> bool:
    a, b = name_words(predicted), name_words(gold)
    return bool(a and b) and (a <= b or b <= a)


def mention_class(mention: str) -> str:
    word = mention.strip().lower()
    if (
        word in PRONOUNS
        or word in ORG_PRONOUNS
        or word in GROUP_PRONOUNS
        or word in RELATIVE_PRONOUNS
    ):
        return "pronoun"
    if re.search(r"(?<![\w’'])[A-Z][a-z]", mention) and not re.match(
        r"(?:The|A|An) [a-z]", mention
    ):
        return "name"
    return "description"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def is_row_quote(row: dict, quote: dict) -> bool:
    """Whether a gold PolNeAR quote is the stance row's: same source, content holding its text."""
    source = " ".join(span["text"] for span in quote.get("source") or []).strip()
    text = row["text"].strip()
    return source == row["source"].strip() and any(
        text[:40] in part["text"] or part["text"][:40] in text for part in quote["content"]
    )


def gold_quotes(text: str, rows: list[dict]) -> list[Quote]:
    quotes = []
    for row in rows:
        parts = tuple(Span.of(text, p["start"], p["end"]) for p in row["content"])
        start, end = min(p.start for p in parts), max(p.end for p in parts)
        source = (row.get("source") or [None])[0]
        cue = (row.get("cue") or [None])[0]
        quotes.append(
            Quote(
                start=start,
                end=end,
                text=text[start:end],
                kind=row.get("kind") or "indirect",
                parts=parts,
                cue=Span.of(text, cue["start"], cue["end"]) if cue else None,
                mention=Span.of(text, source["start"], source["end"]) if source else None,
            )
        )
    return quotes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (../shared/data)")
    parser.add_argument("--errors", type=int, default=0, help="print this many wrong resolutions")
    args = parser.parse_args()

    articles = {}
    for split in ("train", "dev"):
        for article in read_jsonl(args.data / "polnear" / f"{split}.jsonl"):
            articles[article["id"]] = article
    rows = []
    for split in ("train", "dev"):
        rows += read_jsonl(args.data / "stance" / f"immigration_{split}.jsonl")

    resolved_cache: dict[str, list[Quote]] = {}
    totals: Counter = Counter()
    hits: Counter = Counter()
    errors = []
    for row in rows:
        article = articles.get(row.get("article"))
        if (
            not article
            or row["speaker"].lower().startswith("unattributed")
            or not row.get("source")
        ):
            continue
        text = article["text"]
        gold = [q for q in article["quotes"] if q.get("content")]
        # The row's quote: the gold quote with the row's source whose content holds the row's text.
        matches = [i for i, quote in enumerate(gold) if is_row_quote(row, quote)]
        if not matches:
            totals["unmatched rows"] += 1
            continue
        if article["id"] not in resolved_cache:
            resolved_cache[article["id"]], _ = resolve_speakers(text, gold_quotes(text, gold))
        quote = resolved_cache[article["id"]][matches[0]]
        kind = mention_class(quote.mention.text if quote.mention else "")
        totals[kind] += 1
        correct = same_speaker(quote.speaker, row["speaker"])
        hits[kind] += correct
        if not correct:
            errors.append(
                (kind, quote.mention.text if quote.mention else None, quote.speaker, row["speaker"])
            )

    scored = sum(totals[k] for k in ("name", "pronoun", "description"))
    correct = sum(hits.values())
    print(f"rows scored: {scored}  (rows whose quote was not found: {totals['unmatched rows']})")
    print(f"speaker resolution accuracy: {correct / max(scored, 1):.3f} ({correct}/{scored})")
    for kind in ("name", "pronoun", "description"):
        print(f"  {kind:<12} {hits[kind] / max(totals[kind], 1):.3f} ({hits[kind]}/{totals[kind]})")
    for kind, mention, predicted, gold_speaker in errors[: args.errors]:
        print(f"  [{kind}] {mention!r} -> {predicted!r}, gold {gold_speaker!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
