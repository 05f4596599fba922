"""The local model: the models the `local` extras ship (models), a llama.cpp server in a child
process (server, `python -m briefer.local.server`), and serving one for a run (embedded)."""
