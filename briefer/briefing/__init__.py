"""The briefing steps: chunk, analyse each article, synthesise across outlets, contrast their
figures (pipeline runs them and the checks, up to a verified Briefing, which briefer.render
writes out; estimate tallies the expected run and its worst case without a call)."""
