"""Accounts of the units' door: who may sign in, send and see, and how they prove it."""
