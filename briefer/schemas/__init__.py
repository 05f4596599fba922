"""Schemas: the model's replies (replies.py) and the briefing the reader gets (briefing.py)."""
