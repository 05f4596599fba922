"""Rendering a briefing: Markdown and JSON (render, markdown), the HTML page and its highlighted
evidence (html, passages), the format choice (formats), and the one Jinja2 environment with its
templates and stylesheet (templating, templates/)."""
