"""Shared fixtures: paths to the project's fixture articles and the shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "cnn-ice-record-deportations-2011.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


class KeywordStanceModel:
    """A stand-in stance model for code-path tests: scores follow cue words of the statement.

    Deterministic and instant; records the size of every ``predict_proba`` call in ``calls``.
    """

    labels = ("favor", "against", "neutral")
    FAVOR_WORDS = ("support", "welcome", "progress")
    AGAINST_WORDS = ("oppose", "cruel", "devastat")

    def __init__(self):
        self.calls: list[int] = []

    def predict_proba(self, inputs, batch_size: int = 32) -> list[dict[str, float]]:
        self.calls.append(len(inputs))
        out = []
        for item in inputs:
            words = item.text.lower()
            raw = {
                "favor": 1.0 + 4 * sum(words.count(w) for w in self.FAVOR_WORDS),
                "against": 1.0 + 4 * sum(words.count(w) for w in self.AGAINST_WORDS),
                "neutral": 2.0,
            }
            total = sum(raw.values())
            out.append({label: value / total for label, value in raw.items()})
        return out


@pytest.fixture
def keyword_model() -> KeywordStanceModel:
    return KeywordStanceModel()


def scripted_extract(article):
    """Stand-in for `stance.pipeline.extract`: every ``Name: statement`` line is a quote by Name.

    ``?: statement`` is a quote with no speaker. Lets pipeline and CLI tests control exactly
    which quotes and speakers an article has, whatever the real extractors find.
    """
    from stance.records import Analysis, Quote, Span, Speaker

    quotes, speakers, offset = [], {}, 0
    for line in article.text.splitlines(keepends=True):
        name, separator, said = line.rstrip("\n").partition(": ")
        if separator and said:
            start = offset + len(name) + len(separator)
            end = start + len(said)
            speaker = None if name == "?" else name
            if speaker:
                speakers.setdefault(speaker, Speaker(speaker, "person"))
            quotes.append(
                Quote(
                    start, end, article.text[start:end], "direct", (Span.of(article.text, start, end),),
                    mention=Span.of(article.text, offset, offset + len(name)), speaker=speaker,
                )
            )
        offset += len(line)
    return Analysis(article.id, article.text, article.target, tuple(quotes), tuple(speakers.values()))


@pytest.fixture
def scripted_quotes(monkeypatch):
    """Make the pipeline read quotes as `scripted_extract` does."""
    monkeypatch.setattr("stance.pipeline.extract", scripted_extract)
