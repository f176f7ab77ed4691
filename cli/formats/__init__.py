"""Output formats for findings: text, json, markdown, sarif, junit, github (see registry)."""
