"""Checks run in code, never by the model: quotes, citations and numbers against the articles
(verify, numbers) and the writer's own voice (voice)."""
