"""Checks run in code, never by the model: quotes, citations and numbers against the articles
(verify) and the prose of the briefing (prose)."""
