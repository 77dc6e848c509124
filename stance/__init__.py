"""stance: find who said what in news articles, and how each speaker stands on a question.

    >>> import stance
    >>> result = stance.analyze(text, target="immigration enforcement")
    >>> [(s.name, s.stance) for s in result.stances]
"""

from stance.pipeline import Pipeline, analyze, extract
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
