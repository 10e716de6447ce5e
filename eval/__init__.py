"""Retrieval evaluation: the question sets beside it, the baselines, and the report (`python -m bot eval`)."""
