"""What a stance model reads: a quote of an article as a `StanceInput`, and that as a text pair.

`stance_input` takes a quote of an article (its speaker, cue and the paragraph around it);
`model_input` writes one `StanceInput` as the text pair every stance model reads, following the
model's own template. `describe_input` shows that pair with placeholders, for model cards.
`with_speaker` puts a statement in another speaker's mouth, for training and for the party check.
"""

from __future__ import annotations

import re

from dataclasses import replace

from stance.records import Quote, StanceInput

# How the quote segment is written; `model_input` fills it. A model records its template in its
# folder's config (models trained before the cue was used have SAID_TEMPLATE).
INPUT_TEMPLATE = "{speaker} {cue}: {quote}"
SAID_TEMPLATE = "{speaker} said: {quote}"
UNKNOWN_SPEAKER = "someone"
DEFAULT_CUE = "said"
CUE_PUNCTUATION = " :;,.—–-\"“”"
# Context beyond the quote is a hint, not the statement: keep it short so the quote is never cut.
CONTEXT_CHARS = 300


def model_input(item: StanceInput, *, template: str = INPUT_TEMPLATE, use_context: bool = True) -> tuple[str, str]:
    """The text pair a stance model reads for one statement.

    First segment: ``"target: <target>"``. Second: ``template`` filled, by default
    ``"<speaker> <cue>: <quote>"`` (``someone`` when the speaker is unknown, ``said`` when there is
    no cue), then ``" context: <context>"`` when there is context. The cue is kept because
    reported speech often puts the stance in it ("Lin criticized the deportations"). The context
    comes last so that truncation to the model's max length cuts it before the quote.
    """
    cue = " ".join((item.cue or "").split()).strip(CUE_PUNCTUATION) or DEFAULT_CUE
    second = template.format(speaker=item.speaker or UNKNOWN_SPEAKER, cue=cue, quote=item.text)
    if use_context and item.context:
        second = f"{second} context: {item.context}"
    return f"target: {item.target}", second


def describe_input(template: str = INPUT_TEMPLATE, use_context: bool = True) -> str:
    """The text pair of `model_input` with placeholders, in Markdown code, as a model card shows
    it; by default ``target: <target>`` / ``<speaker> <cue>: <quote> context: <context>``."""
    placeholders = StanceInput("<target>", "<quote>", "<speaker>", "<context>", "<cue>")
    first, second = model_input(placeholders, template=template, use_context=use_context)
    return f"`{first}` / `{second}`"


def stance_input(text: str, quote: Quote, target: str) -> StanceInput:
    """What the classifier sees for ``quote`` of the article ``text``.

    The context is the paragraph around the quote (at most `CONTEXT_CHARS` on each side): it
    carries the attribution of indirect speech ("Lin also said the deportations ...") and what
    "it" or "the plan" refer to.
    """
    speaker = quote.speaker or (quote.mention.text if quote.mention else None)
    return StanceInput(
        target=target,
        text=quote.content,
        speaker=speaker,
        context=_paragraph_around(text, quote.start, quote.end),
        cue=quote.cue.text if quote.cue else None,
    )


def _paragraph_around(text: str, start: int, end: int) -> str | None:
    begin = max(text.rfind("\n", 0, start) + 1, start - CONTEXT_CHARS)
    stop = text.find("\n", end)
    stop = min(len(text) if stop < 0 else stop, end + CONTEXT_CHARS)
    context = re.sub(r"\s+", " ", text[begin:stop]).strip()
    return context or None


def with_speaker(item: StanceInput, speaker: str) -> StanceInput:
    """``item`` as if ``speaker`` had said it: the speaker field, and every whole-word occurrence of
    the original speaker in the context (also with its first letter capitalized, as at the start
    of a sentence: "the ACLU" / "The ACLU"), become ``speaker``."""
    context = item.context
    if item.speaker and context:
        original = item.speaker
        names = {original, original[:1].upper() + original[1:]}
        pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?!\w)"
        context = re.sub(pattern, lambda _: speaker, context)
    return replace(item, speaker=speaker, context=context)
