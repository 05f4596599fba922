"""The run: `run` prepares the articles, runs the story's steps and the checks up to a verified
Briefing (which briefer.render writes out); `estimate` tallies the expected run and its worst case
without a call."""
