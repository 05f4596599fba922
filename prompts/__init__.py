"""The prompt files: shipped inside the package as briefer.prompts, read by
briefer/model/prompts.py with importlib.resources."""
