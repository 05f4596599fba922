"""What briefer knows about models: context window, tokenizer, price, structured-output support.

One table, one place. Unknown (local) models get a conservative fallback instead of a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class ModelInfo:
    """Facts about one model that budgets, estimates and request shapes depend on."""

    name: str
    context_window: int
    encoding: str
    input_per_1m: float | None  # USD per 1M prompt tokens; None = unknown/free (local)
    output_per_1m: float | None
    structured_output: bool  # supports strict json_schema response_format
    supports_temperature: bool = True
    known: bool = True
    # Largest article chunk one analyse call should get. Small models lose track of long inputs
    # (the 1.5B model returned one fact for a 3,700-token article), so they read shorter parts.
    max_chunk_tokens: int | None = None
    # Whether to ask the model for each outlet's framing line. Lines composed in code (from the
    # lead and what only the outlet reports) stand in when it is not asked, as they do for a line
    # the checks reject. On the 1.5B model 10 of 60 lines passed over 20 eval events and 0 of 5
    # on the seeds, and the call took 42 s of a 530 s seeds run: small models are not asked.
    writes_framing: bool = True

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        """Estimated USD for the given usage, or None when the price is unknown."""
        if self.input_per_1m is None or self.output_per_1m is None:
            return None
        return (prompt_tokens * self.input_per_1m + completion_tokens * self.output_per_1m) / 1e6


_O200K = "o200k_base"
_SMALL: dict[str, Any] = {"max_chunk_tokens": 2000, "writes_framing": False}

MODELS: dict[str, ModelInfo] = {
    m.name: m
    for m in [
        ModelInfo("gpt-4.1", 1_047_576, _O200K, 2.00, 8.00, True),
        ModelInfo("gpt-4.1-mini", 1_047_576, _O200K, 0.40, 1.60, True),
        ModelInfo("gpt-4.1-nano", 1_047_576, _O200K, 0.10, 0.40, True),
        ModelInfo("gpt-4o", 128_000, _O200K, 2.50, 10.00, True),
        ModelInfo("gpt-4o-mini", 128_000, _O200K, 0.15, 0.60, True),
        ModelInfo("gpt-5", 400_000, _O200K, 1.25, 10.00, True, supports_temperature=False),
        ModelInfo("gpt-5-mini", 400_000, _O200K, 0.25, 2.00, True, supports_temperature=False),
        ModelInfo("gpt-5-nano", 400_000, _O200K, 0.05, 0.40, True, supports_temperature=False),
        # Local reference models (llama.cpp server); tiktoken only approximates their tokenizer.
        ModelInfo("qwen2.5-coder-1.5b-instruct", 32_768, _O200K, 0.0, 0.0, True, **_SMALL),
        ModelInfo("qwen2.5-coder-0.5b-instruct", 32_768, _O200K, 0.0, 0.0, True, **_SMALL),
    ]
}

# Unknown models: assume a small window (many local servers default to 4-8k) and o200k counts.
FALLBACK_CONTEXT_WINDOW = 8_192


def lookup(name: str, context_window: int | None = None) -> ModelInfo:
    """Return the table entry for `name` (exact, then longest known prefix), else a fallback.

    `context_window` (from --context-window) overrides the table: the server's real limit wins.
    """
    info = MODELS.get(name)
    if info is None:
        prefixes = [k for k in MODELS if name.startswith(k + "-")]
        if prefixes:
            info = replace(MODELS[max(prefixes, key=len)], name=name)
    if info is None:
        info = ModelInfo(name, FALLBACK_CONTEXT_WINDOW, _O200K, None, None, True, known=False)
    if context_window:
        info = replace(info, context_window=context_window)
    return info
