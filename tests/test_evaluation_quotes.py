"""Scoring quotes against gold spans: coverage, one-to-one matching, speaker credit, the CLI."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from stance.cli import app, main
from stance.data.polnear import GoldQuote
from stance.errors import EXIT_USAGE, DataError
from stance.evaluation.quotes import (
    coverage,
    evaluate_quotes,
    match_quotes,
    speaker_correct,
)
from stance.records import Analysis, Article, Quote, Span

TEXT = (
    "The mayor said the plan would save money. "
    "“We are not going back,” the governor told reporters."
)
SAID_PLAN = TEXT.index("the plan")
GOVERNOR_QUOTE = TEXT.index("“We")


def span(text: str, start: int, end: int) -> Span:
    return Span.of(text, start, end)


def quote(start: int, end: int, mention: tuple[int, int] | None = None, speaker=None) -> Quote:
    return Quote(
        start=start,
        end=end,
        text=TEXT[start:end],
        kind="indirect",
        parts=(span(TEXT, start, end),),
        mention=span(TEXT, *mention) if mention else None,
        speaker=speaker,
    )


def gold(start: int, end: int, source: tuple[int, int] | None = None, kind="indirect") -> GoldQuote:
    return GoldQuote(
        parts=(span(TEXT, start, end),),
        sources=(span(TEXT, *source),) if source else (),
        kind=kind,
    )


@pytest.mark.parametrize(
    ("predicted", "gold_spans", "expected"),
    [
        ([(0, 10)], [(0, 10)], 1.0),
        ([(0, 5)], [(0, 10)], 0.5),
        ([(0, 20)], [(5, 10)], 1.0),
        ([(20, 30)], [(0, 10)], 0.0),
        ([(0, 3), (7, 10)], [(0, 10)], 0.6),
        ([(0, 10)], [(0, 4), (6, 10)], 1.0),
    ],
)
def test_evaluation_coverage_is_share_of_gold_characters(predicted, gold_spans, expected):
    as_spans = [[span(TEXT, s, e) for s, e in spans] for spans in (predicted, gold_spans)]
    assert coverage(*as_spans) == pytest.approx(expected)


def test_evaluation_matching_is_one_to_one_and_greedy_by_best_overlap():
    gold_quotes = [gold(0, 40), gold(42, 96)]
    predicted = [quote(0, 20), quote(0, 40), quote(42, 96)]
    pairs = match_quotes(predicted, gold_quotes, 0.3)
    # The exact prediction wins the first gold quote; the partial one is left unmatched.
    assert sorted(pairs) == [(1, 0), (2, 1)]
    assert match_quotes(predicted[:1], gold_quotes, 0.8) == []


@pytest.mark.parametrize(
    ("mention", "speaker", "source", "expected"),
    [
        ((42 + 26, 42 + 38), None, (42 + 26, 42 + 38), True),  # mention on the gold source
        (None, "Governor Ann Smith", (42 + 26, 42 + 38), True),  # "governor" shared
        (None, "The Mayor", (42 + 26, 42 + 38), False),
        (None, None, (42 + 26, 42 + 38), False),
        ((0, 9), None, (42 + 26, 42 + 38), False),
    ],
)
def test_evaluation_speaker_correct(mention, speaker, source, expected):
    predicted = quote(GOVERNOR_QUOTE, GOVERNOR_QUOTE + 26, mention, speaker)
    assert speaker_correct(predicted, gold(GOVERNOR_QUOTE, GOVERNOR_QUOTE + 26, source)) is expected


def gold_row(doc_id: str, text: str, quotes: list[dict]) -> str:
    return json.dumps({"id": doc_id, "corpus": "test", "text": text, "quotes": quotes})


def spans_of(text: str, fragment: str) -> list[dict]:
    start = text.index(fragment)
    return [{"start": start, "end": start + len(fragment), "text": fragment}]


@pytest.fixture
def gold_file(tmp_path):
    quotes = [
        {
            "content": spans_of(TEXT, "the plan would save money"),
            "source": spans_of(TEXT, "The mayor"),
            "cue": spans_of(TEXT, "said"),
            "kind": "indirect",
        },
        {
            "content": spans_of(TEXT, "“We are not going back,”"),
            "source": spans_of(TEXT, "the governor"),
            "cue": spans_of(TEXT, "told reporters"),
            "kind": "direct",
        },
        {"content": [], "source": None, "cue": None, "kind": None},  # nothing to match: skipped
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text(gold_row("one", TEXT, quotes) + "\n\n", encoding="utf-8")
    return path


def _direct_quote_finder(only: str | None = None):
    """An extractor that finds the governor's direct quote (only in article ``only``, if given)."""

    def extractor(article: Article) -> Analysis:
        if only is not None and article.id != only:
            return Analysis(article.id, article.text, None, (), ())
        start = article.text.index("“We")
        found = Quote(
            start=start,
            end=start + 24,
            text=article.text[start : start + 24],
            kind="direct",
            parts=(span(article.text, start, start + 24),),
            speaker="Governor Smith",
        )
        return Analysis(article.id, article.text, None, (found,), ())

    return extractor


def test_evaluation_scores_a_given_extractor(gold_file):
    scores = evaluate_quotes(gold_file, extractor=_direct_quote_finder())
    assert scores["gold_quotes"] == 2 and scores["predicted_quotes"] == 1
    loose = scores["thresholds"]["0.3"]
    assert (loose["precision"], loose["recall"]) == (1.0, 0.5)
    assert loose["f1"] == pytest.approx(2 / 3)
    assert loose["recall_by_kind"] == {"direct": 1.0, "indirect": 0.0}
    assert scores["speaker"]["share"] == 1.0


def test_evaluation_intervals_resample_articles(gold_file, tmp_path):
    # Article "one" scores F1 2/3 and article "two" 0: resampled articles give 0, 0.4 or 2/3.
    two = tmp_path / "two.jsonl"
    line = gold_file.read_text(encoding="utf-8").strip()
    two.write_text(line + "\n" + line.replace('"id": "one"', '"id": "two"') + "\n", encoding="utf-8")
    scores = evaluate_quotes(two, extractor=_direct_quote_finder(only="one"))
    assert scores["thresholds"]["0.3"]["f1"] == pytest.approx(0.4)
    intervals = scores["intervals"]
    assert intervals["units"] == 2 and intervals["f1"]["0.3"] == [0.0, pytest.approx(2 / 3)]
    assert intervals["speaker_share"] == [1.0, 1.0]
    assert "intervals" not in evaluate_quotes(two, extractor=_direct_quote_finder(), resamples=0)


def test_evaluation_rejects_bad_thresholds(gold_file):
    with pytest.raises(DataError, match="thresholds"):
        evaluate_quotes(gold_file, thresholds=[1.5])


@pytest.mark.parametrize("format", ["table", "json"])
def test_evaluate_quotes_cli(gold_file, tmp_path, format):
    out = tmp_path / "scores.out"
    result = CliRunner().invoke(
        app, ["evaluate", "quotes", str(gold_file), "--format", format, "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = out.read_text(encoding="utf-8")
    if format == "json":
        scores = json.loads(written)
        assert scores["documents"] == 1 and scores["gold_quotes"] == 2
        assert set(scores["thresholds"]) == {"0.3", "0.8"}
        assert (
            scores["thresholds"]["0.3"]["matched"] >= 1
        )  # the rule extractor finds the direct quote
    else:
        assert "precision" in written and "speaker correct" in written and "95% interval" in written


def test_evaluate_quotes_cli_rejects_a_missing_file(tmp_path):
    missing = tmp_path / "missing.jsonl"
    result = CliRunner().invoke(app, ["evaluate", "quotes", str(missing)])
    assert result.exit_code == EXIT_USAGE
    # The message is drawn in a box that wraps the long path anywhere: compare without the box.
    unboxed = "".join(result.stderr.replace("│", "").split()).lower()
    assert f"invalidvaluefor'gold':file'{missing}'doesnotexist".lower() in unboxed
    assert "Traceback" not in result.output


def test_evaluate_quotes_cli_names_the_bad_line_of_the_gold_file(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(gold_row("x", TEXT, []) + "\nnot json\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["stance", "evaluate", "quotes", str(bad), "--fast"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err == f"Error: {bad}:2: expected a JSON object, found invalid JSON (Expecting value)\n"
    assert captured.out == ""


def _interrupted_finder(article: Article) -> Analysis:
    """One quote of two parts around "he said", with the cue "said" (the GGT convention scores
    them as two quotes)."""
    text = article.text
    first, second = text.index("“Taxes"), text.index("“Schools")
    parts = (span(text, first, text.index(" he said")), span(text, second, len(text)))
    cue_at = text.index("said")
    found = Quote(
        start=first, end=len(text), text=text[first:], kind="direct", parts=parts,
        cue=span(text, cue_at, cue_at + 4), speaker="Smith",
    )  # fmt: skip
    return Analysis(article.id, text, None, (found,), ())


@pytest.fixture
def interrupted_gold(tmp_path):
    text = "“Taxes will fall,” he said. “Schools will open.”"

    def at(fragment):
        start = text.index(fragment)
        return [{"start": start, "end": start + len(fragment), "text": fragment}]

    quotes = [
        {"content": at("“Taxes will fall,”"), "source": at("he"), "cue": at("said"), "kind": "direct"},
        {"content": at("“Schools will open.”"), "source": at("he"), "cue": at("said"), "kind": "direct"},
    ]
    path = tmp_path / "ggt.jsonl"
    path.write_text(gold_row("ggt", text, quotes) + "\n", encoding="utf-8")
    return path


def test_evaluation_split_parts_scores_each_part_as_a_quote(interrupted_gold):
    whole = evaluate_quotes(interrupted_gold, extractor=_interrupted_finder, resamples=0)
    split = evaluate_quotes(interrupted_gold, extractor=_interrupted_finder, resamples=0, split_parts=True)
    assert whole["predicted_quotes"] == 1 and whole["thresholds"]["0.3"]["recall"] == 0.5
    assert split["predicted_quotes"] == 2 and split["split_parts"]
    assert (split["thresholds"]["0.3"]["precision"], split["thresholds"]["0.3"]["recall"]) == (1.0, 1.0)


def test_evaluation_precision_by_cue_and_kind(gold_file, interrupted_gold):
    scores = evaluate_quotes(interrupted_gold, extractor=_interrupted_finder, resamples=0, split_parts=True)
    assert scores["precision_by_cue"] == {"say": {"predicted": 2, "matched": 2, "precision": 1.0}}
    assert scores["precision_by_kind"] == {"direct": {"predicted": 2, "matched": 2, "precision": 1.0}}
    # A quote without a cue is grouped apart.
    plain = evaluate_quotes(gold_file, extractor=_direct_quote_finder(), resamples=0)
    assert plain["precision_by_cue"] == {"(no cue)": {"predicted": 1, "matched": 1, "precision": 1.0}}


def test_evaluate_quotes_cli_split_parts_and_attributions(interrupted_gold, tmp_path):
    out = tmp_path / "scores.txt"
    result = CliRunner().invoke(
        app,
        ["evaluate", "quotes", str(interrupted_gold), "--split-parts", "--attributions", "all",
         "--fast", "--bootstrap", "0", "--output", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # The title wraps the long temporary path anywhere: compare without white space.
    written = "".join(out.read_text(encoding="utf-8").split())
    assert "partsscoredapart" in written and "precisionbycue" in written and "predictedkind" in written
