"""The story's steps: chunk, analyse each article, align facts across outlets, synthesise,
contrast their figures, and compare the outlets (briefer.pipeline runs them and the checks)."""
