"""The local model: the models the `local` extras ship (models), a llama.cpp server in a child
process (server; the child runs `python -m briefer.local`), and serving one for a run (embedded)."""
