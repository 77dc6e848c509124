"""stance: find who said what in news articles, and how each speaker stands on a question.

    >>> import stance
    >>> result = stance.analyze(text, target="immigration enforcement")
    >>> [(s.name, s.stance) for s in result.stances]
"""

import os

# Torch's OpenMP threads spin while they wait for work; on a CPU shared with other jobs the
# spinning takes the cores from everyone (the quote tagger on 2 threads ran 3x slower per
# CPU-second). Takes effect only if torch is imported after stance; a user's setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from stance.pipeline import Pipeline, analyze, extract  # noqa: E402
from stance.records import Analysis, Article, Quote, Span, Speaker, SpeakerStance

__all__ = [
    "Analysis",
    "Article",
    "Pipeline",
    "Quote",
    "Span",
    "Speaker",
    "SpeakerStance",
    "analyze",
    "extract",
]
__version__ = "0.1.0"
