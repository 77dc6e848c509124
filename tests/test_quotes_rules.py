"""The rule-based quote extractor: hard cases of news attribution, fixture articles, and the span
contract (every span in bounds, ``text[start:end] == span.text``) on arbitrary input."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import stance.quotes.rules
from stance.quotes import extract_quotes
from stance.records import Quote

from conftest import FIXTURES, SEED

ARTICLES = FIXTURES / "articles"


def summary(quote: Quote) -> tuple:
    return (
        quote.kind,
        [part.text for part in quote.parts],
        quote.cue.text if quote.cue else None,
        quote.mention.text if quote.mention else None,
    )


def assert_spans_exact(text: str, quotes: list[Quote]) -> None:
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)
    for quote in quotes:
        assert 0 <= quote.start <= quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text
        assert quote.kind in ("direct", "indirect", "mixed")
        assert quote.parts and quote.speaker is None
        for span in (*quote.parts, quote.cue, quote.mention):
            if span is not None:
                assert 0 <= span.start <= span.end <= len(text)
                assert text[span.start : span.end] == span.text
        for part in quote.parts:
            assert quote.start <= part.start and part.end <= quote.end


CASES = {
    "curly quote, inverted attribution, continued": (
        "“We have waited long enough,” said board chair Maria Delgado. "
        "“Every week we delay, another family sleeps in a car.”",
        [
            (
                "direct",
                [
                    "“We have waited long enough,”",
                    "“Every week we delay, another family sleeps in a car.”",
                ],
                "said",
                "board chair Maria Delgado",
            )
        ],
    ),
    "quote interrupted mid-sentence": (
        "“This is not the end of it,” Delgado added, “but it is a start.”",
        [("direct", ["“This is not the end of it,”", "“but it is a start.”"], "added", "Delgado")],
    ),
    "straight marks with nested single quotes": (
        "\"When people tell me 'nobody can park,' I tell them to look at the numbers,\" Mayor Alan Brooks said.",
        [
            (
                "direct",
                ["\"When people tell me 'nobody can park,' I tell them to look at the numbers,\""],
                "said",
                "Mayor Alan Brooks",
            )
        ],
    ),
    "doubled apostrophes as quotation marks": (
        "''We will appeal this ruling,'' the lawyer said.",
        [("direct", ["''We will appeal this ruling,''"], "said", "the lawyer")],
    ),
    "said that, with an appositive": (
        "Joanne Lin, legislative counsel for the group, said that the numbers were troubling.",
        [
            (
                "indirect",
                ["the numbers were troubling"],
                "said",
                "Joanne Lin, legislative counsel for the group",
            )
        ],
    ),
    "content first, source and cue last": (
        "The plan will cost far more than promised, the commissioner said.",
        [("indirect", ["The plan will cost far more than promised"], "said", "the commissioner")],
    ),
    "attribution splitting reported speech": (
        "The plan, said Commissioner Tom Reilly, will cost far more than the board admits.",
        [
            (
                "indirect",
                ["The plan", "will cost far more than the board admits"],
                "said",
                "Commissioner Tom Reilly",
            )
        ],
    ),
    "according to, leading": (
        "According to the budget office, the shelter will open next spring.",
        [("indirect", ["the shelter will open next spring"], "According to", "the budget office")],
    ),
    "according to, trailing": (
        "The shelter will open next spring, according to the budget office.",
        [("indirect", ["The shelter will open next spring"], "according to", "the budget office")],
    ),
    "told reporters that": (
        "Reilly told reporters that he would ask for an audit.",
        [("indirect", ["he would ask for an audit"], "told", "Reilly")],
    ),
    "told reporters, colon, quote": (
        "Reilly told reporters: “I want an audit of every contract.”",
        [("direct", ["“I want an audit of every contract.”"], "told", "Reilly")],
    ),
    "colon lead-in without a cue verb": (
        'Their leader, Rep. Ana Cruz, put it bluntly: "The math does not work."',
        [("direct", ['"The math does not work."'], ":", "Rep. Ana Cruz")],
    ),
    "headline with a colon": (
        'Governor Lee: "We Will Not Raise Taxes"',
        [("direct", ['"We Will Not Raise Taxes"'], ":", "Governor Lee")],
    ),
    "mixed: reported speech with a quoted fragment": (
        "Lin said the deportations represent “uncontrolled, unwarranted” spending.",
        [
            (
                "mixed",
                ["the deportations represent “uncontrolled, unwarranted” spending"],
                "said",
                "Lin",
            )
        ],
    ),
    "a title in quotation marks is not speech": (
        'The report, titled "Safer Streets," was released on Monday.',
        [],
    ),
    "pronoun source": (
        "“It worked better than anyone expected,” she said.",
        [("direct", ["“It worked better than anyone expected,”"], "said", "she")],
    ),
    "organisation source, that after a prepositional phrase": (
        "The agency said in a statement that removals had risen sharply.",
        [("indirect", ["removals had risen sharply"], "said", "The agency")],
    ),
    "a quote paragraph with no attribution keeps no mention": (
        "The mayor spoke next.\n\n“We will rebuild this town, brick by brick.”",
        [("direct", ["“We will rebuild this town, brick by brick.”"], None, None)],
    ),
    "a quote continued over paragraphs": (
        '"I came here to fix roads," she said. "I did not expect floods.\n\n'
        '"But the floods changed everything."\n\nHer office declined to comment.',
        [
            (
                "direct",
                [
                    '"I came here to fix roads,"',
                    '"I did not expect floods.',
                    '"But the floods changed everything."',
                ],
                "said",
                "she",
            ),
            ("indirect", ["to comment"], "declined", "Her office"),
        ],
    ),
    "an unclosed mark stays in its paragraph": (
        'Members wanted to read the "final draft before voting.\n\nOrtiz said the delay was reasonable.',
        [
            ("mixed", ['to read the "final draft before voting'], "wanted", "Members"),
            ("indirect", ["the delay was reasonable"], "said", "Ortiz"),
        ],
    ),
    "a name joined by and": (
        "Immigration and Customs Enforcement says the numbers show a focus on priority groups.",
        [
            (
                "indirect",
                ["the numbers show a focus on priority groups"],
                "says",
                "Immigration and Customs Enforcement",
            ),
            ("indirect", ["a focus on priority groups"], "show", "the numbers"),  # nested report
        ],
    ),
    "said, then the source and its affiliation": (
        "About 74% of the removals were of people with criminal records, said Gregory Palmore of "
        "the agency’s Houston office.",
        [
            (
                "indirect",
                ["About 74% of the removals were of people with criminal records"],
                "said",
                "Gregory Palmore of the agency’s Houston office",
            )
        ],
    ),
    "a stance verb and a participle on the same subject": (
        "Smith criticized the decision, calling it “a betrayal of voters.”",
        [
            ("indirect", ["the decision"], "criticized", "Smith"),
            ("mixed", ["it “a betrayal of voters.”"], "calling", "Smith"),
        ],
    ),
    "time and setting between cue and content": (
        "The donor said on Friday in a statement he had met the candidate twice.",
        [("indirect", ["he had met the candidate twice"], "said", "The donor")],
    ),
    "an introductory question, then the quote": (
        "Asked whether the vote worried her, Cruz said, “Not for a second.”",
        [
            ("indirect", ["whether the vote worried her"], "Asked", None),  # the question put
            ("direct", ["“Not for a second.”"], "said", "Cruz"),
        ],
    ),
    "a title-case headline cue": (
        "County Board Says Shelter Will Open in Spring\n\nThe board met on Tuesday.",
        [("indirect", ["Shelter Will Open in Spring"], "Says", "County Board")],
    ),
    "a headline speaker, a colon and single quotation marks": (
        "Mayor on the Budget: ‘We Can’t Afford It’\n\nThe mayor spoke on Monday.",
        [("direct", ["‘We Can’t Afford It’"], ":", "Mayor")],
    ),
    "a noun that looks like a cue": (
        "The mayor gave the speech at noon — a familiar pledge.",
        [],
    ),
    "a subject with a restrictive relative clause": (
        "Republicans who oppose the deal said the vote would fail.",
        [("indirect", ["the vote would fail"], "said", "Republicans who oppose the deal")],
    ),
    "the subject of a participle after with": (
        "The plan drew fire, with critics who favor tougher rules calling it an amnesty.",
        [("indirect", ["it an amnesty"], "calling", "critics who favor tougher rules")],
    ),
    "a participle that describes a noun is no cue": (
        "Cases involving people considered dangerous will be heard first.",
        [],
    ),
    "the same verb reporting a view": (
        "Officials considered the plan a mistake.",
        [("indirect", ["the plan a mistake"], "considered", "Officials")],
    ),
    "two coordinated reports": (
        "Officials said the state expects a surplus, and analysts warned that it could vanish.",
        [
            ("indirect", ["the state expects a surplus"], "said", "Officials"),
            ("indirect", ["it could vanish"], "warned", "analysts"),
        ],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(CASES.values()), ids=list(CASES))
def test_quotes_hard_cases(text, expected):
    quotes = extract_quotes(text)
    assert [summary(q) for q in quotes] == expected
    assert_spans_exact(text, quotes)


# (fixture, a fragment of the content, kind, cue, mention): each must be found.
FIXTURE_QUOTES = [
    (
        "quotes-interrupted-curly",
        "Every week we delay",
        "direct",
        "said",
        "board chair Maria Delgado",
    ),
    ("quotes-interrupted-curly", "but it is a start", "direct", "added", "Delgado"),
    (
        "quotes-interrupted-curly",
        "will cost far more",
        "indirect",
        "said",
        "Commissioner Tom Reilly",
    ),
    (
        "quotes-interrupted-curly",
        "the shelter will open",
        "indirect",
        "According to",
        "the county budget office",
    ),
    ("quotes-interrupted-curly", "ask for an audit", "indirect", "told", "Reilly"),
    (
        "quotes-straight-nested",
        "'nobody can park downtown,'",
        "direct",
        "said",
        "Mayor Alan Brooks",
    ),
    ("quotes-straight-nested", "400 spaces", "indirect", "said", "Brooks"),
    ("quotes-straight-nested", "'why bother,'", "direct", "said", "Priya Nair"),
    (
        "quotes-straight-nested",
        "a solution in search",
        "mixed",
        "called",
        "The chamber of commerce",
    ),
    ("quotes-multiparagraph", "I leave with one regret", "direct", "said", "she"),
    ("quotes-multiparagraph", "serve out the rest", "indirect", "said", "Her office"),
    ("quotes-unbalanced", "Nobody should vote", "direct", "said", "Ortiz"),
    ("quotes-unbalanced", "The vote is now set", "indirect", "said", "the clerk"),
    (
        "quotes-scare-quotes",
        '"modest" decline',
        "mixed",
        "said",
        "Jane Whitfield, a researcher at the state university",
    ),
    ("quotes-colon-leadins", "We Will Not Raise Taxes", "direct", ":", "Governor Lee"),
    ("quotes-colon-leadins", "without raising a single tax", "direct", "said", "Lee"),
    ("quotes-colon-leadins", "The math does not work", "direct", ":", "Rep. Ana Cruz"),
    ("quotes-colon-leadins", "could vanish", "indirect", "warned", "budget analysts"),
    ("quotes-colon-leadins", "freeze tuition", "indirect", "said", "Lee's aides"),
]


def fixture_text(name: str) -> str:
    return (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "fragment", "kind", "cue", "mention"), FIXTURE_QUOTES)
def test_quotes_fixture_articles(name, fragment, kind, cue, mention):
    text = fixture_text(name)
    found = [q for q in extract_quotes(text) if fragment in q.content and q.cue.text == cue]
    assert len(found) == 1, [summary(q) for q in extract_quotes(text)]
    assert found[0].kind == kind and found[0].mention.text == mention


def test_quotes_multiparagraph_quote_is_one_quote_with_a_part_per_paragraph():
    text = fixture_text("quotes-multiparagraph")
    (quote,) = [q for q in extract_quotes(text) if q.kind == "direct"]
    assert len(quote.parts) == 4
    assert quote.parts[-1].text.endswith('sooner."')
    assert "Her office" not in quote.text


def test_quotes_unbalanced_mark_does_not_swallow_the_article():
    text = fixture_text("quotes-unbalanced")
    quotes = extract_quotes(text)
    unclosed = text.index('"final draft')
    paragraph_end = text.index("\n", unclosed)
    assert all(not (q.start <= unclosed < q.end) or q.end <= paragraph_end for q in quotes)


def test_quotes_scare_quotes_and_titles_are_not_direct_quotes():
    text = fixture_text("quotes-scare-quotes")
    quotes = extract_quotes(text)
    assert not [q for q in quotes if q.kind == "direct"]
    assert not [q for q in quotes if "Safer Streets" in q.text or "war on paperwork" in q.text]


@pytest.mark.parametrize(
    "path", sorted(ARTICLES.glob("quotes-*.txt")) + [SEED], ids=lambda p: p.name
)
def test_quotes_spans_are_exact_on_fixtures(path):
    text = path.read_text(encoding="utf-8")
    quotes = extract_quotes(text)
    assert quotes
    assert_spans_exact(text, quotes)


def test_quotes_seed_article_sources(seed_text):
    by_fragment = {
        "These year-end totals indicate that we are making progress, with": "agency Director John Morton",
        "All told, this administration": "Joanne Lin, ACLU legislative counsel",
        "uncontrolled, unwarranted": "Lin",
        "critics will ignore": "she",
        "common-sense way": "Napolitano",
        "about 74% of the 20,450 removals": "Gregory Palmore of the agency’s Houston office",
        "This includes 1,119 aliens": "it",
        "89 percent increase": "the enforcement agency",
    }
    quotes = extract_quotes(seed_text)
    for fragment, mention in by_fragment.items():
        found = [q for q in quotes if fragment in q.content]
        assert [q.mention.text for q in found] == [mention], fragment


def test_quotes_a_rule_failure_raises_instead_of_finding_no_quotes(monkeypatch):
    # The pipeline turns the error into a failure of this document (tests/test_pipeline.py).
    def broken(*args):
        raise IndexError("a rule bug")

    monkeypatch.setattr(stance.quotes.rules, "source_before", broken)
    with pytest.raises(IndexError, match="a rule bug"):
        extract_quotes("The mayor said the plan would cut costs.")


NEWS_ALPHABET = st.sampled_from(
    list("abc XYZ.,;:!?—-\n\n'’‘\"“”«»()0123")
    + [" said ", " told ", " according to ", "Mr. ", " he ", "''"]
)


@settings(max_examples=300, deadline=None)
@given(st.text() | st.lists(NEWS_ALPHABET, max_size=80).map("".join))
@example("’ SAID")  # a source of punctuation alone
@example(", asked , asked ")
@example(" told  that ")  # nothing after “that”
def test_quotes_spans_in_bounds_on_any_text(text):
    assert_spans_exact(text, extract_quotes(text))


PLAIN_WORDS = st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=2, max_size=12).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    before=st.text() | st.lists(NEWS_ALPHABET, max_size=60).map("".join),
    said=PLAIN_WORDS,
    after=st.text() | st.lists(NEWS_ALPHABET, max_size=60).map("".join),
)
def test_quotes_a_quoted_paragraph_is_found_whatever_surrounds_it(before, said, after):
    # Arbitrary text alone may hold no quote at all; this paragraph holds one every time, so the
    # span contract is checked on a found quote, not on an empty list.
    paragraph = f"“{said.capitalize()},” she said."
    text = f"{before}\n{paragraph}\n{after}"
    quotes = extract_quotes(text)
    assert_spans_exact(text, quotes)
    opening = len(before) + 1
    quoted = (opening, opening + len("“,”") + len(said))  # the quotation with its marks
    assert any((part.start, part.end) == quoted for quote in quotes for part in quote.parts)


@settings(max_examples=20, deadline=None)
@given(st.lists(NEWS_ALPHABET, min_size=1, max_size=40).map("".join), st.integers(50, 400))
def test_quotes_spans_in_bounds_on_long_texts(chunk, repeats):
    text = chunk * repeats
    assert_spans_exact(text, extract_quotes(text))
