"""Scoring the pipeline against gold annotations: quotes (PolNeAR format) and stance."""
