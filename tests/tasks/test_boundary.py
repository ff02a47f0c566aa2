"""The shared concurrency limit: held where the API has it, skipped (without asking the API
for a slot) where it does not."""

from __future__ import annotations

import uuid
from contextlib import nullcontext

from tasks.boundary import shared_limit


def _active(name: str) -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return int(client.read_global_concurrency_limit_by_name(name).active_slots)


def test_a_limit_the_api_has_is_held_for_the_block(prefect_api: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    name = f"chiso-test-{uuid.uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
    try:
        with shared_limit(name):
            assert _active(name) == 1
        assert _active(name) == 0
    finally:
        with get_client(sync_client=True) as client:
            client.delete_global_concurrency_limit_by_name(name)


def test_a_limit_the_api_lacks_is_skipped_without_asking_for_a_slot(prefect_api: str) -> None:
    # asking for a slot is a write transaction on the API's database, which waited ~2 s on a
    # SQLite-backed API in back-to-back runs; a read says the limit is not there
    assert isinstance(shared_limit(f"chiso-absent-{uuid.uuid4().hex[:8]}"), nullcontext)
