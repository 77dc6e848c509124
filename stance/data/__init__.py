"""Readers of the project's gold data: labelled stance statements and PolNeAR-format attributions."""
