"""The stance stage: each quote's stance toward the target.

`stance_input` builds what the model reads for a quote (`stance.classify.inputs`);
`load_model` loads a stance model whose ``predict_proba`` scores those inputs, and
`with_stances` labels the quotes with the scores (`stance.classify.models`).
"""

from stance.classify.inputs import model_input, stance_input
from stance.classify.models import NliStanceClassifier, StanceClassifier, load_model, with_stances

__all__ = ["NliStanceClassifier", "StanceClassifier", "load_model", "model_input", "stance_input", "with_stances"]
