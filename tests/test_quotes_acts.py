"""The act a quote reports: statements (speech) apart from beliefs, findings and plans."""

from __future__ import annotations

import pytest

from stance.quotes.acts import cue_lemma, quote_act, settled_by, statement_sentences
from stance.records import Quote, Span


# Written for these tests.
@pytest.mark.parametrize(
    ("cue", "lemma"),
    [
        ("said", "say"),
        ("told", "tell"),
        ("has also said", "say"),
        ("noted", "note"),
        ("urging", "urge"),
        ("slammed", "slam"),
        ("argued", "argue"),
        ("sniffed", "sniff"),
        ("cited", "cite"),
        ("is expected", "expect"),
        ("called for", "call for"),
        ("According to", "according to"),
        ("in a statement", "statement"),
        (":", ":"),
    ],
)
def test_quotes_acts_cue_lemma(cue, lemma):
    assert cue_lemma(cue) == lemma


def _quote(text: str, content: str, cue: str | None, kind: str = "indirect") -> Quote:
    start = text.index(content)
    cue_span = Span.of(text, text.index(cue), text.index(cue) + len(cue)) if cue else None
    part = Span.of(text, start, start + len(content))
    return Quote(start, part.end, part.text, kind, (part,), cue=cue_span)


@pytest.mark.parametrize(
    ("text", "content", "cue", "kind", "act"),
    [
        ("The mayor said the budget is balanced.", "the budget is balanced", "said", "indirect", "speech"),
        ("According to the report, rents rose.", "rents rose", "According to", "indirect", "speech"),
        ("The study found that rents rose.", "that rents rose", "found", "indirect", "other"),
        ("The council wants to cut taxes.", "to cut taxes", "wants", "indirect", "other"),
        ("Voters believe the race is close.", "the race is close", "believe", "indirect", "other"),
        ("The senator voted for the bill.", "the bill", "voted for", "indirect", "other"),
        ("The minister thanked her staff.", "her staff", "thanked", "indirect", "other"),
        ("She called the plan “a disgrace.”", "the plan “a disgrace.”", "called", "mixed", "speech"),
        ("The plan seems to work.", "to work", "seems", "indirect", "other"),
        ("“We will win,” he believes.", "“We will win,”", "believes", "direct", "speech"),
        ("Rents rose: a lot.", "a lot", ":", "indirect", "other"),
    ],
)
def test_quotes_acts_quote_act(text, content, cue, kind, act):
    assert quote_act(_quote(text, content, cue, kind)) == act


# Written for these tests.
NEWS = (
    "The council met on Monday. The mayor has repeatedly denied the claims. Rain fell all day. "
    "Critics slammed the plan. \u201cWe will fight it in court,\u201d a lawyer said. "
    "According to the report, costs rose. The park closed."
)


def test_quotes_acts_statement_sentences_hold_a_speech_act_in_any_form():
    regions = statement_sentences(NEWS)
    read = [NEWS[start:end].strip() for start, end in regions]
    assert read == [
        "The mayor has repeatedly denied the claims.",
        "Critics slammed the plan. \u201cWe will fight it in court,\u201d a lawyer said. According to the report, costs rose.",
    ]
    assert all(0 <= start < end <= len(NEWS) for start, end in regions)


def test_quotes_acts_statement_sentences_skip_words_of_settled_quotations():
    quoted = NEWS.index("\u201cWe")
    said = NEWS.index("said")
    direct = Quote(
        quoted, NEWS.index("\u201d") + 1, NEWS[quoted : NEWS.index("\u201d") + 1], "direct",
        (Span(quoted + 1, NEWS.index(",\u201d"), "We will fight it in court"),), cue=Span(said, said + 4, "said"),
    )
    read = [NEWS[start:end].strip() for start, end in statement_sentences(NEWS, settled_by([direct]))]
    assert read == ["The mayor has repeatedly denied the claims.", "Critics slammed the plan.", "According to the report, costs rose."]


def test_quotes_acts_statement_sentences_skip_nouns_that_share_a_cue_word():
    text = (
        "At one point the state sued. The United States objected. She pointed out the costs. "
        "The report stated the costs. Aides called for calm."
    )
    read = [text[start:end].strip() for start, end in statement_sentences(text)]
    assert read == ["She pointed out the costs. The report stated the costs. Aides called for calm."]
