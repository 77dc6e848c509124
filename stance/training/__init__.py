"""Training the project's models: the stance classifier and the quote tagger, through one loop.

``loop`` is the loop both share, with ``checkpoints`` for resuming it; ``stance`` and ``tagger`` bring each model's data, batches and
loss; ``cross_validation`` and ``splits`` are the stance recipe's research tools.
"""

from stance.training.stance import StanceTrainingRun, TrainingArguments, fit_stance, train_stance
from stance.training.tagger import TaggerTrainingArguments, TaggerTrainingRun, fit_tagger, train_tagger

__all__ = [
    "StanceTrainingRun",
    "TaggerTrainingArguments",
    "TaggerTrainingRun",
    "TrainingArguments",
    "fit_stance",
    "fit_tagger",
    "train_stance",
    "train_tagger",
]
