"""The model layer: the one place that talks to the model (llm, transport, reply), and what it
needs: the call cache, remembered endpoint modes, the model table, token counts, the prompt
files, and the endpoint check (doctor)."""
