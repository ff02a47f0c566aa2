"""How a step becomes a Prefect task (:func:`step`: its time measured, its input and
result passed opaque, called as the plain typed function it wraps), and a shared
concurrency limit; used by every room's ``steps.py``."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from prefect.utilities.annotations import quote

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = ParamSpec("P")
F = TypeVar("F", bound=Callable[..., Any])


WORK: dict[str, float] = {}  # seconds spent inside each step's body in this process


def timed(fn: F) -> F:
    """Add the time spent in ``fn``'s body to :data:`WORK` (what the steps themselves cost,
    as against the orchestration around them)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            WORK[fn.__name__] = WORK.get(fn.__name__, 0.0) + time.perf_counter() - start

    return cast(F, wrapper)


def shared_limit(name: str) -> AbstractContextManager[Any]:
    """Prefect's global concurrency limit ``name`` (created with the deployments; skipped
    where it does not exist); nothing under an ephemeral API, which no other process shares."""
    from prefect.concurrency.sync import concurrency
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value() or not _limit_exists(name):
        return nullcontext()
    # a slot held by a process that died (its worker killed) frees itself once its lease
    # is not renewed: after a minute, not Prefect's default five
    return concurrency(name, occupy=1, strict=False, lease_duration=60)


def _limit_exists(name: str) -> bool:
    """Whether the API has the limit ``name``, read rather than asked for a slot: Prefect
    asks for a slot of a limit that does not exist in a write transaction, which on an
    API whose database is SQLite (its test harness, ``prefect server start`` by default)
    waited about 2 s behind the previous run's writes in back-to-back runs."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            return False
    return True


class Quoted(Protocol[T_co]):
    """A task's value as :func:`as_one` returns it."""

    def unquote(self) -> T_co: ...


def as_one(fn: Callable[P, T]) -> Callable[P, Quoted[T]]:
    """Return the step's value inside a ``quote`` (the caller takes it out with
    ``.unquote()``). Prefect links a task's result, and each element of it, to the task run
    in the flow run's context until the flow run ends; quoted, a batch of 2,000 is one entry
    instead of thousands (a national backfill's 34 batches grew the process by ~60 MB)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Quoted[T]:
        return cast(Quoted[T], quote(fn(*args, **kwargs)))

    return wrapper


def opaque(value: T) -> T:
    """Pass ``value`` to a task without Prefect walking it for upstream results (that walk
    costs seconds on a batch of thousands of submissions; none of ours hold futures)."""
    return cast(T, quote(value))


def step(name: str, **options: Any) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Make ``fn`` a Prefect task run (named ``name``, never cached; ``options`` such as
    retries go to ``@task``) that its callers call as the plain function it is: every
    argument goes in :func:`opaque`, the result comes back through :func:`as_one` and is
    taken out again, and the body's time is added to :data:`WORK`. The task itself is the
    wrapper's ``task`` attribute."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    def wrap(fn: Callable[P, T]) -> Callable[P, T]:
        run: Any = task(name=name, cache_policy=NO_CACHE, **options)(as_one(timed(fn)))

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> T:
            quoted = run(*map(opaque, args), **{k: opaque(v) for k, v in kwargs.items()})
            return cast(T, quoted.unquote())

        call.task = run  # type: ignore[attr-defined]
        return call

    return wrap
