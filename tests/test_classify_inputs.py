"""What a stance model reads: `stance_input` from a quote in its article, `model_input` as a text pair."""

from __future__ import annotations

import pytest

from stance.classify.inputs import SAID_TEMPLATE, describe_input, model_input, stance_input
from stance.records import Quote, Span, StanceInput


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (StanceInput("gun control", "Ban them.", "Jane Ortiz"), ("target: gun control", "Jane Ortiz said: Ban them.")),
        (StanceInput("gun control", "Ban them.", None), ("target: gun control", "someone said: Ban them.")),
        (
            StanceInput("gun control", "Ban them.", "she", "Ortiz spoke."),
            ("target: gun control", "she said: Ban them. context: Ortiz spoke."),
        ),
        (
            StanceInput("gun control", "the ban", "Ortiz", cue=" criticized\n"),
            ("target: gun control", "Ortiz criticized: the ban"),
        ),
        (StanceInput("gun control", "Ban them.", "Ortiz", cue=":"), ("target: gun control", "Ortiz said: Ban them.")),
    ],
)
def test_classify_inputs_model_input_segments(item, expected):
    assert model_input(item) == expected


def test_classify_inputs_model_input_keeps_a_models_own_template():
    item = StanceInput("gun control", "the ban", "Ortiz", cue="criticized")
    assert model_input(item, template=SAID_TEMPLATE) == ("target: gun control", "Ortiz said: the ban")


def test_classify_inputs_model_input_without_context():
    item = StanceInput("gun control", "Ban them.", "she", "Ortiz spoke.")
    assert model_input(item, use_context=False) == ("target: gun control", "she said: Ban them.")


@pytest.mark.parametrize(
    ("template", "use_context", "expected"),
    [
        (None, True, "`target: <target>` / `<speaker> <cue>: <quote> context: <context>`"),
        (SAID_TEMPLATE, True, "`target: <target>` / `<speaker> said: <quote> context: <context>`"),
        (None, False, "`target: <target>` / `<speaker> <cue>: <quote>`"),
    ],
)
def test_classify_inputs_describe_input_follows_the_template(template, use_context, expected):
    described = describe_input(use_context=use_context) if template is None else describe_input(template, use_context)
    assert described == expected


def test_classify_inputs_stance_input_carries_the_cue():
    text = "Ortiz criticized the ban on Monday."
    quote = Quote(17, 24, "the ban", "indirect", (Span(17, 24, "the ban"),), cue=Span(6, 16, "criticized"), speaker="Ortiz")
    assert stance_input(text, quote, "gun control").cue == "criticized"


def _quote(text: str, content: str, speaker: str | None) -> Quote:
    start = text.index(content)
    end = start + len(content)
    return Quote(start, end, content, "direct", (Span.of(text, start, end),), speaker=speaker)


def test_classify_inputs_stance_input_takes_paragraph_context(seed_text):
    quote = _quote(seed_text, "uncontrolled, unwarranted", "Joanne Lin")
    item = stance_input(seed_text, quote, "immigration enforcement")
    assert item.text == "uncontrolled, unwarranted"
    assert item.speaker == "Joanne Lin" and item.target == "immigration enforcement"
    assert "Lin also said" in item.context and "\n" not in item.context
    assert "Napolitano" not in item.context  # the next paragraph is not part of it


def test_classify_inputs_stance_input_falls_back_to_mention():
    text = "She said the plan works."
    quote = Quote(9, 24, text[9:24], "indirect", (Span.of(text, 9, 24),), mention=Span.of(text, 0, 3))
    assert stance_input(text, quote, "the plan").speaker == "She"
