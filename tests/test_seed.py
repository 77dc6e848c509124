"""Issue 2's "done when" on the seed article: who said each listed sentence, end to end through
`stance.pipeline.extract` (quote extraction + speaker resolution), and the gold file's integrity."""

from __future__ import annotations

import json

import pytest
from conftest import SEED

from stance.pipeline import extract
from stance.records import Article
from stance.speakers.sources import is_source_mention

ICE = "Immigration and Customs Enforcement (ICE)"
# (the opening of a sentence as the article writes it, its canonical speaker). Every occurrence
# of the opening must lie in a quote attributed to that speaker.
EXPECTED = [
    ("These year-end totals indicate", "John Morton"),
    ("Smart and effective immigration enforcement", "John Morton"),
    ("All told, this administration", "Joanne Lin"),
    ("These record-breaking deportation numbers", "Joanne Lin"),
    ("uncontrolled, unwarranted", "Joanne Lin"),
    ("What … critics will ignore", "Janet Napolitano"),
    ("the approach is a common-sense way", "Janet Napolitano"),
    ("about 74% of the 20,450 removals", "Gregory Palmore"),
    ("This includes 1,119 aliens", ICE),
    ("That’s an 89 percent increase", ICE),
]


@pytest.fixture(scope="module")
def seed_analysis():
    return extract(Article(id=SEED.stem, text=SEED.read_text(encoding="utf-8")))


def _occurrences(text: str, sentence: str) -> list[int]:
    found, at = [], text.find(sentence)
    while at >= 0:
        found.append(at)
        at = text.find(sentence, at + 1)
    return found


@pytest.mark.parametrize(("sentence", "speaker"), EXPECTED, ids=[s for s, _ in EXPECTED])
def test_seed_sentence_speaker(seed_analysis, sentence, speaker):
    text = seed_analysis.text
    occurrences = _occurrences(text, sentence)
    assert occurrences, f"{sentence!r} is not in the seed fixture"
    covering = [
        quote
        for at in occurrences
        for quote in seed_analysis.quotes
        if quote.start <= at and at + len(sentence) <= quote.end
    ]
    assert covering, f"no quote extracted around {sentence!r}"
    wrong = {
        (quote.speaker, quote.mention.text if quote.mention else None) for quote in covering
    } - {(speaker, quote.mention.text if quote.mention else None) for quote in covering}
    assert not wrong, (
        f"{sentence!r}: expected {speaker!r}, got (speaker, mention) {sorted(wrong, key=str)}"
    )


def test_seed_speakers_listed_once_with_roles(seed_analysis):
    speakers = {speaker.name: speaker for speaker in seed_analysis.speakers}
    assert len(speakers) == len(seed_analysis.speakers)
    assert speakers["John Morton"].role == "Director"
    assert speakers["Joanne Lin"].role == "ACLU legislative counsel"
    assert speakers[ICE].kind == "organization"


def test_seed_gold_file_spans_index_the_fixture():
    text = SEED.read_text(encoding="utf-8")
    gold = json.loads(SEED.with_suffix(".gold.json").read_text(encoding="utf-8"))
    assert gold["id"] == SEED.stem
    names = {speaker["name"] for speaker in gold["speakers"]}
    for quote in gold["quotes"]:
        assert text[quote["start"] : quote["end"]] == quote["text"]
        for key in ("cue", "mention"):
            assert text[quote[key]["start"] : quote[key]["end"]] == quote[key]["text"]
        assert quote["kind"] in ("direct", "indirect", "mixed")
        assert quote["speaker"] in names


def test_seed_every_speaker_is_a_person_group_or_organisation(seed_analysis):
    # Issue 16: the seed table lists no fragment or page furniture as a speaker.
    assert seed_analysis.speakers
    assert all(speaker.kind in ("person", "group", "organization") for speaker in seed_analysis.speakers)
    text = seed_analysis.text
    assert all(
        is_source_mention(text, quote.mention.start, quote.mention.end)
        for quote in seed_analysis.quotes
        if quote.mention is not None
    )
    assert all(quote.act == "speech" for quote in seed_analysis.quotes)
