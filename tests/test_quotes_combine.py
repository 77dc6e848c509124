"""Merging the rule extractor's quotes with the tagger's."""

from __future__ import annotations

from dataclasses import replace

from conftest import spans_of

from stance.quotes.combine import combine_quotes
from stance.records import Quote, Span


def quote_at(text: str, part: str, kind: str) -> Quote:
    [span] = spans_of(text, part)
    return Quote(span.start, span.end, span.text, kind, (span,))


def test_combine_prefers_rule_direct_quotes_then_tagger_then_other_rule_quotes():
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


def test_combine_keeps_the_rule_quote_when_the_tagger_span_runs_into_its_speaker():
    text = "With voters who favor more deportations calling it an amnesty, the plan stalled."
    mention = spans_of(text, "voters who favor more deportations")[0]
    cue = spans_of(text, "calling")[0]
    rule = replace(quote_at(text, "it an amnesty", "indirect"), mention=mention, cue=cue)
    learned = [replace(quote_at(text, "more deportations calling it an amnesty", "indirect"), cue=cue)]
    assert combine_quotes([rule], learned) == [rule]
