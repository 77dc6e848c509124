"""The quote tagger: windows, tag encoding and decoding, quote assembly, train -> save -> load.

Code paths use a tiny random BERT with a word-piece vocabulary written to ``tmp_path``; only the
last tests use the packaged encoder (one training step) and the shipped folder.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stance.cli import app
from stance.errors import ModelError
from stance.records import Quote, Span
from stance.tagger import (
    CONFIG_FILE,
    LABELS,
    SPAN_TYPES,
    WEIGHTS_FILE,
    QuoteTagger,
    TaggedText,
    TaggerConfig,
    assemble_quotes,
    combine_quotes,
    quote_kind,
    split_at_line_breaks,
    tagged_spans,
    token_tags,
    token_windows,
)
from stance.tagger_training import (
    AnnotatedText,
    TaggerTrainingArguments,
    fit_tagger,
    read_annotated,
)

SHIPPED = ROOT / "models" / "quote-tagger"

# News-style sentences written for these tests, with their attributions marked by hand.
TRAINING_SENTENCES = [
    ("The mayor said that the plan would cut costs.", "the plan would cut costs", "The mayor", "said"),
    ("“We will not back down,” the senator told reporters.", "“We will not back down,”", "the senator", "told"),
    ("Officials warned the storm could close schools.", "the storm could close schools", "Officials", "warned"),
    ("According to the report, crime fell last year.", "crime fell last year", "the report", "According to"),
]


def annotated(sentence: str, content: str, source: str, cue: str) -> AnnotatedText:
    def span(part: str) -> tuple[tuple[int, int], ...]:
        start = sentence.index(part)
        return ((start, start + len(part)),)

    return AnnotatedText(sentence, {"content": span(content), "source": span(source), "cue": span(cue)})


@pytest.fixture
def tiny_tagger(tmp_path) -> QuoteTagger:
    """A 2-layer BERT of width 16 with random weights, over a vocabulary of letters and the test words."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    torch.manual_seed(0)
    words = {word.lower() for sentence, *_ in TRAINING_SENTENCES for word in sentence.replace(",", " ").split()}
    letters = [chr(code) for code in range(ord("a"), ord("z") + 1)]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *letters, *(f"##{c}" for c in letters),
             *".,;:!?“”‘’\"'—-", *sorted(words)]
    vocab_file = tmp_path / "vocab.txt"
    vocab_file.write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab=str(vocab_file))
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: index for index, label in enumerate(LABELS)},
    )
    model = BertForTokenClassification(config)
    return QuoteTagger(model, tokenizer, TaggerConfig(max_length=16, stride=4, num_layers=2, trained_layers=2, batch_size=4, precision="fp32"))


def assert_quotes_in_bounds(text: str, quotes) -> None:
    for quote in quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text
        for span in (*quote.parts, quote.cue, quote.mention):
            if span is not None:
                assert 0 <= span.start < span.end <= len(text)
                assert text[span.start : span.end] == span.text
        assert quote.speaker is None


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“We will win,”", "direct"),
        ("\"Taxes are too high.\"", "direct"),
        ("that the policy was “a disaster” for families", "mixed"),
        ("that the plan would cut costs", "indirect"),
        ("the agency’s record", "indirect"),
    ],
)
def test_tagger_quote_kind_follows_the_quote_marks(text, expected):
    assert quote_kind(text, [Span(0, len(text), text)]) == expected


def spans_of(text: str, *parts: str) -> tuple[Span, ...]:
    spans = []
    for part in parts:
        start = text.index(part)
        spans.append(Span(start, start + len(part), part))
    return tuple(spans)


def test_tagger_assemble_joins_an_interrupted_quote_and_links_its_cue_and_source():
    text = "“The numbers speak for themselves,” she said. “We are not done yet.”"
    tagged = TaggedText(
        contents=spans_of(text, "“The numbers speak for themselves,”", "“We are not done yet.”"),
        sources=spans_of(text, "she"),
        cues=spans_of(text, "said"),
    )
    [quote] = assemble_quotes(text, tagged)
    assert [part.text for part in quote.parts] == [span.text for span in tagged.contents]
    assert (quote.kind, quote.cue.text, quote.mention.text) == ("direct", "said", "she")
    assert_quotes_in_bounds(text, [quote])


def test_tagger_assemble_keeps_separate_statements_with_their_own_speakers():
    text = "The governor said taxes will fall. Critics argued the cuts will hurt schools."
    tagged = TaggedText(
        contents=spans_of(text, "taxes will fall", "the cuts will hurt schools"),
        sources=spans_of(text, "The governor", "Critics"),
        cues=spans_of(text, "said", "argued"),
    )
    quotes = assemble_quotes(text, tagged)
    assert [(q.mention.text, q.cue.text, q.kind) for q in quotes] == [
        ("The governor", "said", "indirect"),
        ("Critics", "argued", "indirect"),
    ]


def test_tagger_assemble_prefers_a_cue_of_the_quotes_paragraph_to_one_opening_the_next():
    text = ("The council said the library would close in May. Its branches will move to the school."
            "\n\nThe plan drew fire from parents, who called it rushed.")
    tagged = TaggedText(
        contents=spans_of(text, "the library would close in May", "Its branches will move to the school."),
        sources=spans_of(text, "The council", "parents"),
        cues=spans_of(text, "said", "drew fire from"),
    )
    # "drew fire from" is nearer the second statement, but a new paragraph starts a new statement.
    assert [(q.text, q.cue.text, q.mention.text) for q in assemble_quotes(text, tagged)] == [
        ("the library would close in May", "said", "The council"),
        ("Its branches will move to the school.", "said", "The council"),
    ]


def test_tagger_assemble_takes_the_next_paragraphs_cue_when_the_quotes_own_paragraph_has_none():
    text = "“We will not back down.”\n\nThat was the word from the mayor on Friday."
    tagged = TaggedText(
        contents=spans_of(text, "“We will not back down.”"),
        sources=spans_of(text, "the mayor"),
        cues=spans_of(text, "was the word from"),
    )
    [quote] = assemble_quotes(text, tagged)
    assert (quote.kind, quote.cue.text, quote.mention.text) == ("direct", "was the word from", "the mayor")


def test_tagger_assemble_cuts_content_that_runs_past_its_paragraph():
    text = "Board Backs Budget\n\nThe board on Tuesday said the budget was balanced."
    run_on = Span.of(text, text.index("Budget"), text.index(" on Tuesday"))
    tagged = TaggedText(
        contents=(run_on, *spans_of(text, "the budget was balanced")),
        sources=spans_of(text, "Board", "The board"),
        cues=spans_of(text, "Backs", "said"),
    )
    # Each line's piece is judged alone: "Budget" is under MIN_CONTENT_WORDS and goes.
    quotes = assemble_quotes(text, tagged)
    assert [q.text for q in quotes] == ["The board", "the budget was balanced"]
    assert quotes[1].cue.text == "said"
    assert [piece.text for piece in split_at_line_breaks(text, run_on)] == ["Budget", "The board"]


def quote_at(text: str, part: str, kind: str) -> Quote:
    [span] = spans_of(text, part)
    return Quote(span.start, span.end, span.text, kind, (span,))


def test_tagger_combine_prefers_rule_direct_quotes_then_tagger_then_other_rule_quotes():
    text = ("“We are ready,” the chief said. Critics said the plan is weak. Analysts expect delays. "
            "Officials said costs will rise. A crowd gathers outside. Story highlights")
    critics = spans_of(text, "Critics")[0]
    critics_said = Span(critics.end + 1, critics.end + 5, "said")
    rules = [quote_at(text, "“We are ready,”", "direct"),
             replace(quote_at(text, "the plan is weak", "indirect"), mention=critics, cue=critics_said),
             quote_at(text, "costs will rise", "indirect")]
    learned = [quote_at(text, "We are ready", "indirect"), quote_at(text, "the plan is weak.", "indirect"),
               replace(quote_at(text, "delays", "indirect"), cue=spans_of(text, "expect")[0]),
               quote_at(text, "A crowd gathers outside", "indirect")]  # no cue: a caption, dropped
    combined = combine_quotes(rules, learned)
    assert [(q.text, q.kind) for q in combined] == [
        ("“We are ready,”", "direct"), ("the plan is weak.", "indirect"), ("delays", "indirect"),
        ("costs will rise", "indirect"),
    ]
    # The tagger's quote takes the mention and cue the rules attributed it from.
    assert (combined[1].mention, combined[1].cue) == (critics, critics_said)


def test_tagger_combine_keeps_the_rule_quote_when_the_tagger_span_runs_into_its_speaker():
    text = "With voters who favor more deportations calling it an amnesty, the plan stalled."
    mention = spans_of(text, "voters who favor more deportations")[0]
    cue = spans_of(text, "calling")[0]
    rule = replace(quote_at(text, "it an amnesty", "indirect"), mention=mention, cue=cue)
    learned = [replace(quote_at(text, "more deportations calling it an amnesty", "indirect"), cue=cue)]
    assert combine_quotes([rule], learned) == [rule]


def test_tagger_train_save_load_gives_identical_predictions(tiny_tagger, tmp_path):
    texts = [annotated(*row) for row in TRAINING_SENTENCES]
    record = fit_tagger(tiny_tagger, texts, TaggerTrainingArguments(max_steps=3, log_every=1))
    assert record["steps"] == 3 and len(record["losses"]) == 3
    folder = tiny_tagger.save(tmp_path / "tagger")
    saved = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    assert saved["labels"] == list(LABELS) and saved["base"] is None
    loaded = QuoteTagger.load(folder)
    articles = [sentence + " " + sentence for sentence, *_ in TRAINING_SENTENCES]
    assert loaded.tag(articles) == tiny_tagger.tag(articles)
    predicted = loaded.predict(articles)
    assert predicted == tiny_tagger.predict(articles)
    for text, quotes in zip(articles, predicted):
        assert_quotes_in_bounds(text, quotes)
    # Faster inference precisions run on the same inputs and keep spans in bounds.
    for precision in ("int8", "bf16"):
        for text, quotes in zip(articles, QuoteTagger.load(folder, precision=precision).predict(articles)):
            assert_quotes_in_bounds(text, quotes)


@pytest.mark.parametrize(("bf16_units", "resolved"), [(True, "bf16"), (False, "int8")])
def test_tagger_auto_precision_is_bf16_only_where_the_cpu_has_bf16_units(
    monkeypatch, tiny_tagger, tmp_path, bf16_units, resolved
):
    import torch

    import stance.tagger

    folder = tiny_tagger.save(tmp_path / "tagger")
    monkeypatch.setattr(stance.tagger, "cpu_has_bf16_units", lambda: bf16_units)
    loaded = QuoteTagger.load(folder, precision="auto")
    assert loaded.precision == resolved and loaded.converted
    bf16_weights = next(loaded.model.parameters()).dtype == torch.bfloat16
    quantized = "DynamicQuantizedLinear" in repr(loaded.model)
    assert (bf16_weights, quantized) == (resolved == "bf16", resolved == "int8")
    text = TRAINING_SENTENCES[0][0]
    assert_quotes_in_bounds(text, loaded.predict([text])[0])


def test_tagger_load_refuses_changed_weights_and_foreign_folders(tiny_tagger, tmp_path):
    folder = tiny_tagger.save(tmp_path / "tagger")
    weights = folder / WEIGHTS_FILE
    weights.write_bytes(weights.read_bytes()[:-1] + b"\0")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        QuoteTagger.load(folder)
    with pytest.raises(ModelError, match=CONFIG_FILE):
        QuoteTagger.load(tmp_path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("ab said “”\"'.,\n é😀")) | st.characters(), max_size=200))
@example(text="He said \"a\ud800b\" today.")  # a lone surrogate, which the tokenizer rejects
def test_tagger_predictions_stay_in_bounds_on_any_text(tiny_tagger, text):
    [quotes] = tiny_tagger.predict([text])
    assert_quotes_in_bounds(text, quotes)


def test_tagger_cli_trains_a_folder_on_the_packaged_encoder(tmp_path, seed_text):
    rows = [
        {"id": str(index), "text": sentence, "quotes": [{key: [{"start": s, "end": e}] for key, ((s, e),) in annotated(sentence, *rest).spans.items()}]}
        for index, (sentence, *rest) in enumerate(TRAINING_SENTENCES)
    ]
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    assert len(read_annotated(data)) == len(rows)
    output = tmp_path / "tagger"
    result = CliRunner().invoke(
        app, ["train-tagger", "--train", str(data), "--output", str(output), "--max-steps", "1",
              "--max-length", "32", "--stride", "8", "--layers", "2", "--trained-layers", "1"],
    )
    assert result.exit_code == 0, result.output
    assert {path.name for path in output.iterdir()} >= {CONFIG_FILE, WEIGHTS_FILE, "config.json", "README.md", "tokenizer.json"}
    # Only the trained layer and the head are stored: far smaller than the 90 MB base.
    assert (output / WEIGHTS_FILE).stat().st_size < 5_000_000
    tagger = QuoteTagger.load(output)
    [quotes] = tagger.predict([seed_text])
    assert_quotes_in_bounds(seed_text, quotes)


@pytest.mark.skipif(not (SHIPPED / CONFIG_FILE).is_file(), reason="models/quote-tagger not trained yet")
def test_tagger_shipped_model_finds_the_seed_articles_statements(seed_text):
    [quotes] = QuoteTagger.load(SHIPPED).predict([seed_text])
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
