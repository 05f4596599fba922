"""The run: `prepare` reads, cleans and counts the articles; `run` runs the story's steps and
the checks up to a verified Briefing (which briefer.render writes out); `record` is its run
record; `estimate` tallies the expected run and its worst case without a call."""
