"""The application layer: use cases that both the command line and the web call.

Each module here takes settings and plain values, calls the stages below it (corpus, align, store,
search, terms, qa, formats) and returns values. It never prints and never knows HTTP: `termtm.cli`
parses arguments and prints, `termtm.web` parses requests and renders.
"""
