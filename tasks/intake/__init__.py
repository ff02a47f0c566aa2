"""Intake: the sources, file safety, the readers and collecting files as submissions."""
