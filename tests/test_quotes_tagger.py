"""The quote tagger: windows, tag encoding and decoding, loading, inference precision, and its use
by the pipeline and the quote commands (training: tests/test_training_tagger.py).

Code paths use a tiny random BERT with a word-piece vocabulary written to ``tmp_path``; only the
last tests use the shipped folder.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from conftest import ROOT, TRAINING_SENTENCES, annotated, assert_quotes_in_bounds
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stance.cli import app
from stance.errors import ModelError
from stance.models.folder import CONFIG_FILE, WEIGHTS_FILE
from stance.quotes.tagger import SPAN_TYPES, QuoteTagger, tagged_spans, token_tags, token_windows

SHIPPED = [ROOT / "models" / name for name in ("quote-tagger", "attribution-tagger")]


@pytest.mark.parametrize(
    ("n_tokens", "size", "stride"), [(0, 10, 2), (5, 10, 2), (10, 10, 2), (11, 10, 2), (57, 10, 3), (300, 254, 32)]
)
def test_tagger_windows_cover_every_token_with_the_stride_as_overlap(n_tokens, size, stride):
    windows = token_windows(n_tokens, size, stride)
    covered = set()
    for start, end in windows:
        assert 0 <= start < end <= n_tokens and end - start <= size
        covered.update(range(start, end))
    assert covered == set(range(n_tokens))
    for (_, end), (next_start, _) in itertools.pairwise(windows):
        assert end - next_start >= stride


@pytest.mark.parametrize(("n_tokens", "size", "stride"), [(11, 10, 2), (57, 10, 3), (1034, 254, 32), (2000, 254, 32)])
def test_tagger_windows_are_fewest_and_of_one_width(n_tokens, size, stride):
    windows = token_windows(n_tokens, size, stride)
    # One window fewer could not cover the text with the required overlap.
    assert (len(windows) - 1) * size - (len(windows) - 2) * stride < n_tokens
    assert len({end - start for start, end in windows}) == 1
    assert windows[0][0] == 0 and windows[-1][1] == n_tokens


@pytest.mark.parametrize(("sentence", "content", "source", "cue"), TRAINING_SENTENCES)
def test_tagger_tags_and_decoded_spans_round_trip(tiny_tagger, sentence, content, source, cue):
    gold = annotated(sentence, content, source, cue)
    _, offsets = tiny_tagger.encode(sentence)
    tags = token_tags(offsets, gold.spans)
    for column, span_type in enumerate(SPAN_TYPES):
        assert tuple(tagged_spans(tags[:, column], offsets)) == gold.spans[span_type]


@pytest.mark.parametrize(("bf16_units", "resolved"), [(True, "bf16"), (False, "int8")])
def test_tagger_auto_precision_is_bf16_only_where_the_cpu_has_bf16_units(
    monkeypatch, tiny_tagger, tmp_path, bf16_units, resolved
):
    import torch

    import stance.quotes.tagger

    folder = tiny_tagger.save_pretrained(tmp_path / "tagger")
    monkeypatch.setattr(stance.quotes.tagger, "cpu_has_bf16_units", lambda: bf16_units)
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "cache"))  # where the int8 export goes
    loaded = QuoteTagger.from_pretrained(folder, precision="auto")
    assert loaded.precision == resolved and loaded.converted
    from stance.models.onnx import OnnxTokenClassifier

    quantized = isinstance(loaded.model, OnnxTokenClassifier)
    bf16_weights = not quantized and next(loaded.model.parameters()).dtype == torch.bfloat16
    assert (bf16_weights, quantized) == (resolved == "bf16", resolved == "int8")
    text = TRAINING_SENTENCES[0][0]
    assert_quotes_in_bounds(text, loaded.predict([text])[0])


def test_tagger_load_refuses_changed_weights_and_foreign_folders(tiny_tagger, tmp_path):
    folder = tiny_tagger.save_pretrained(tmp_path / "tagger")
    weights = folder / WEIGHTS_FILE
    weights.write_bytes(weights.read_bytes()[:-1] + b"\0")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        QuoteTagger.from_pretrained(folder)
    with pytest.raises(ModelError, match=CONFIG_FILE):
        QuoteTagger.from_pretrained(tmp_path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("ab said “”\"'.,\n é😀")) | st.characters(), max_size=200))
@example(text="He said \"a\ud800b\" today.")  # a lone surrogate, which the tokenizer rejects
def test_tagger_predictions_stay_in_bounds_on_any_text(tiny_tagger, text):
    [quotes] = tiny_tagger.predict([text])
    assert_quotes_in_bounds(text, quotes)


def test_tagger_reads_only_the_regions_given(tiny_tagger, seed_text):
    middle = seed_text.index("\n", len(seed_text) // 3)
    regions = [(0, 200), (middle, middle + 400)]
    [everywhere] = tiny_tagger.tag([seed_text], [None])
    [within] = tiny_tagger.tag([seed_text], [regions])
    assert everywhere == tiny_tagger.tag([seed_text])[0]
    spans = [*within.contents, *within.sources, *within.cues]
    assert spans and len(spans) < len([*everywhere.contents, *everywhere.sources, *everywhere.cues])
    # A span may end on the word the region's edge cuts.
    assert all(any(span.start >= low and span.end <= high + 20 for low, high in regions) for span in spans)
    assert tiny_tagger.tag([seed_text], [[]])[0] == type(within)((), (), ())


def test_tagger_articles_read_together_give_what_each_gives_alone(tiny_tagger, seed_text):
    from stance.pipeline import extract, extract_articles
    from stance.records import Article

    articles = [Article("seed", seed_text), Article("short", "The mayor said the plan would cut costs."), Article("none", "")]
    together = extract_articles(articles, tagger=tiny_tagger)
    assert together == [extract(article, tagger=tiny_tagger) for article in articles]


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda folder: folder.name)
def test_tagger_shipped_model_finds_the_seed_articles_statements(seed_text, folder):
    [quotes] = QuoteTagger.from_pretrained(folder).predict([seed_text])
    assert_quotes_in_bounds(seed_text, quotes)
    found = " ".join(quote.text for quote in quotes)
    assert "Smart and effective immigration enforcement" in found
    assert any(quote.mention is not None for quote in quotes)


def test_tagger_pipeline_extract_uses_the_given_tagger_and_fast_uses_rules_only(tiny_tagger, seed_text):
    from stance.pipeline import extract
    from stance.records import Article

    article = Article(id="seed", text=seed_text)
    rules_only = extract(article, fast=True)
    combined = extract(article, tagger=tiny_tagger)
    assert_quotes_in_bounds(seed_text, [replace(q, speaker=None) for q in combined.quotes])
    direct = {(q.start, q.end) for q in rules_only.quotes if q.kind == "direct"}
    assert direct <= {(q.start, q.end) for q in combined.quotes}


def test_tagger_quotes_cli_fast_writes_rule_quotes(tmp_path, seed_text):
    from stance.pipeline import extract
    from stance.records import Article

    path = tmp_path / "seed.txt"
    path.write_text(seed_text, encoding="utf-8")
    result = CliRunner().invoke(app, ["quotes", str(path), "--fast", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    expected = extract(Article(id="seed", text=seed_text), fast=True).quotes_dict()
    assert written["quotes"] == expected["quotes"]


def test_tagger_evaluate_quotes_cli_fast_scores_rules_only(tmp_path):
    text = "“We will not back down,” the senator told reporters."
    content, source, cue = "“We will not back down,”", "the senator", "told"
    spans = annotated(text, content, source, cue).spans
    row = {"id": "a", "text": text, "quotes": [
        {key: [{"start": s, "end": e}] for key, ((s, e),) in spans.items()} | {"kind": "direct"}
    ]}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "quotes", str(gold), "--fast", "--format", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["documents"] == 1 and scores["gold_quotes"] == 1
    assert scores["thresholds"]["0.3"]["recall_by_kind"]["direct"] == 1.0
