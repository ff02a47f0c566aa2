"""Validation and decision: GX runs, cross-checks, decisions, storage, claims, feedback."""
