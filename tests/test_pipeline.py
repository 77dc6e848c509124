import pytest

import stance
from stance.errors import InputError, ModelError
from stance.pipeline import Pipeline
from stance.records import Analysis, Article, Failure

ARTICLES = [
    Article("a", "Ann Lee: We support the new rules.\nBo Ray: These rules are cruel.\n"),
    Article("b", "Ann Lee: The weather was fine.\n?: Someone said we support it.\n", target="the weather"),
    Article("c", "No quotes in this one.\n"),
    Article("d", "Cy Dee: I welcome the rules and the progress.\n"),
]


@pytest.mark.usefixtures("scripted_quotes")
@pytest.mark.parametrize("batch_size", [1, 2, 32])
def test_pipeline_results_do_not_depend_on_batch_size(keyword_model, batch_size):
    reference = list(Pipeline(keyword_model, batch_size=1000).analyze(ARTICLES, "the rules"))
    results = list(Pipeline(keyword_model, batch_size=batch_size).analyze(ARTICLES, "the rules"))
    assert results == reference
    assert [r.id for r in results] == ["a", "b", "c", "d"]


@pytest.mark.usefixtures("scripted_quotes")
def test_pipeline_shares_batches_across_documents(keyword_model):
    list(Pipeline(keyword_model, batch_size=4).analyze(ARTICLES, "the rules"))
    # 5 quotes: a+b fill one batch of 4, d is the rest; c has none and costs no call
    assert keyword_model.calls == [4, 1]


@pytest.mark.usefixtures("scripted_quotes")
def test_pipeline_fills_stances_and_targets(keyword_model):
    a, b, _, d = Pipeline(keyword_model).analyze(ARTICLES, "the rules")
    assert [(s.name, s.stance) for s in a.stances] == [("Ann Lee", "favor"), ("Bo Ray", "against")]
    assert (a.target, b.target) == ("the rules", "the weather")
    assert all(q.stance and set(q.scores) == {"favor", "against", "neutral"} for q in a.quotes + b.quotes)
    assert [s.name for s in b.stances] == ["Ann Lee"]  # the quote with no speaker is not aggregated
    assert d.stances[0].stance == "favor"
    for result in (a, b, d):
        for quote in result.quotes:
            assert result.text[quote.start : quote.end] == quote.text


@pytest.mark.usefixtures("scripted_quotes")
def test_pipeline_passes_failures_through_in_order(keyword_model):
    failure = Failure("bad.jsonl:2", "not a JSON object")
    results = list(Pipeline(keyword_model).analyze([ARTICLES[0], failure, ARTICLES[3]]))
    assert [type(r) for r in results] == [Analysis, Failure, Analysis]
    assert results[1] is failure


@pytest.mark.usefixtures("scripted_quotes")
def test_pipeline_analyze_function_takes_a_loaded_model(keyword_model):
    result = stance.analyze(ARTICLES[0].text, target="the rules", model=keyword_model, id="x")
    assert (result.id, result.target) == ("x", "the rules")
    assert {s.name: s.stance for s in result.stances} == {"Ann Lee": "favor", "Bo Ray": "against"}


@pytest.mark.usefixtures("scripted_quotes")
def test_pipeline_model_returning_too_few_scores_is_a_model_error(keyword_model):
    class Truncating:
        labels = keyword_model.labels

        def predict_proba(self, inputs, batch_size=32):
            return keyword_model.predict_proba(inputs, batch_size)[:-1]

    with pytest.raises(ModelError, match="expected the stance model to return 2"):
        list(Pipeline(Truncating()).analyze(ARTICLES[:1]))


def test_pipeline_rejects_batch_size_below_one(keyword_model):
    with pytest.raises(InputError, match="batch size"):
        Pipeline(keyword_model, batch_size=0)


def test_pipeline_a_rule_failure_is_a_failure_of_that_document(keyword_model, monkeypatch, caplog):
    def broken(*args):
        raise IndexError("a rule bug")

    monkeypatch.setattr("stance.quotes.rules.source_before", broken)
    articles = [
        Article("fine", "The weather was fine all week."),
        Article("bad", "The mayor said the plan would cut costs.", origin="news.jsonl:2"),
    ]
    results = list(Pipeline(keyword_model, fast=True).analyze(articles, "the plan"))
    assert isinstance(results[0], Analysis) and results[0].target == "the plan"
    assert results[1] == Failure(
        "news.jsonl:2",
        "quote extraction failed: IndexError: a rule bug (please report this document)",
        "bad",
    )
    assert "news.jsonl:2: quote extraction failed" in caplog.text



# Written for this test: a statement, a finding and a belief.
ATTRIBUTIONS_TEXT = (
    "The mayor said that the budget is balanced this year.\n\n"
    "The audit found that the city overspent on roads.\n\n"
    "Many residents believe that taxes will rise again.\n"
)


def test_pipeline_extract_keeps_statements_unless_all_attributions():
    from stance.pipeline import extract

    article = Article("acts", ATTRIBUTIONS_TEXT)
    speech = extract(article, fast=True)
    everything = extract(article, fast=True, all_attributions=True)
    assert (speech.attributions, everything.attributions) == ("speech", "all")
    assert [q.act for q in speech.quotes] == ["speech"] and speech.quotes[0].speaker
    assert {q.act for q in everything.quotes} == {"speech", "other"} and len(everything.quotes) == 3
    assert speech.quotes_dict()["attributions"] == "speech"
    assert all(ATTRIBUTIONS_TEXT[q.start : q.end] == q.text for q in everything.quotes)


def test_pipeline_extract_reads_with_the_tagger_shipped_for_the_attributions_kept(monkeypatch):
    import stance.quotes.tagger
    from stance.pipeline import extract

    class NoQuotesTagger:
        def predict(self, texts, regions=None):
            return [[] for _ in texts]

    loaded = []

    def load_tagger(name_or_path=None, attributions="speech"):
        loaded.append(stance.quotes.tagger.tagger_path(name_or_path, attributions).name)
        return NoQuotesTagger()

    monkeypatch.setattr(stance.quotes.tagger, "load_tagger", load_tagger)
    article = Article("acts", ATTRIBUTIONS_TEXT)
    extract(article)
    extract(article, all_attributions=True)
    assert loaded == ["quote-tagger", "attribution-tagger"]
