"""A cold run's two slow starts, overlapped."""

from __future__ import annotations

import threading


def start_api_while_importing_gx() -> None:
    """Start Prefect's ephemeral API (a subprocess the flow would otherwise wait for) in a
    thread while this thread imports GX (seconds of imports validation would otherwise pay
    later); return once both are done. Nothing to start with a configured API."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    starter = None
    if not PREFECT_API_URL.value() and PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        from prefect.server.api.server import SubprocessASGIServer

        starter = threading.Thread(target=SubprocessASGIServer().start, name="chiso-api-start")
        starter.start()
    try:
        import great_expectations  # noqa: F401

        import expectations.custom  # noqa: F401
    finally:
        if starter is not None:
            starter.join()  # the flow must not talk to an API that is not up yet


def import_gx_meanwhile() -> threading.Thread:
    """Import GX and the custom expectations in a daemon thread and return it: a
    process-submissions run reads its first batch from the archive (waits on the object
    store and the reader pool) before it validates, and a fresh flow-run process would
    otherwise spend 3-4 s on these imports after the reads. Importing only, never GX's
    context (built once, by the validation itself). The caller joins the thread before it
    validates: Python's import locks do not make a second thread wait for a package whose
    modules import each other (GX's do), it can be handed a half-made module instead
    (``tests/flows/test_fresh_process.py``)."""

    def run() -> None:
        try:
            import great_expectations  # noqa: F401

            import expectations.custom  # noqa: F401
        except Exception:  # the validation imports them again, and says what failed
            pass

    thread = threading.Thread(target=run, name="chiso-gx-import", daemon=True)
    thread.start()
    return thread
