"""The briefing steps: chunk, analyse each article, synthesise across outlets, contrast their
figures, verify and render (pipeline runs them; bound sizes the worst case without a call)."""
