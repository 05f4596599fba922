"""HTML pages: the template environment, the templates and their one stylesheet."""
