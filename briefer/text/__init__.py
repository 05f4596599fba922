"""Text utilities with no schema and no model: sentence spans and content words (sentences),
figures (numbers), period phrases (periods), the writer's own voice (voice) and the one text
shortener (clip). The steps and the checks build on them."""
