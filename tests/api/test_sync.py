"""The sync endpoints: bundle, change feed, device registration and mutation upload."""

from __future__ import annotations

import gzip
import uuid

import brotli
import msgspec
import pytest

from tests.support.bundles import current_bundle


def mutation(name: str, **args) -> dict:
    return {"id": str(uuid.uuid4()), "name": name, "args": args, "at": "2024-11-12T10:00:00+07:00"}


async def push(client, device, mutations, client_id=None):
    body = {"client_id": client_id or device["id"], "mutations": mutations}
    return await client.post("/api/sync/push", json=body, headers=device["auth"])


async def some_event_ids(client, n=3):
    return [e["id"] for e in (await client.get("/api/events", params={"day": "2024-11-12"})).json()[:n]]


async def test_bundle_holds_the_programme_with_strong_etags(client):
    response = await current_bundle(client)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    body = response.json()
    festival = (await client.get("/api/festival")).json()
    assert body["version"] == festival["version"]
    # the festival answer also carries what other domains add to it (the map), which the bundle holds at its top
    assert body["festival"] == {k: v for k, v in festival.items() if k != "map"}
    assert body["map"] == festival["map"]
    assert len(body["events"]) == len((await client.get("/api/events")).json())
    assert {"venues", "trails", "announcements"} <= body.keys()

    again = await client.get("/api/sync/bundle", headers={"if-none-match": etag, "accept-encoding": "identity"})
    assert again.status_code == 304 and again.content == b""


async def test_bundle_is_compressed_by_accept_encoding(client):
    raw = (await current_bundle(client)).content
    for coding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = await client.get("/api/sync/bundle", headers={"accept-encoding": coding})
        assert response.headers["content-encoding"] == coding
        assert response.headers["vary"] == "Accept-Encoding"
        # httpx decodes transparently; the stored bytes must be the same document
        assert response.content == raw
        assert decompress(client.app.state.bundles.built.body(coding)) == raw
        etag = response.headers["etag"]
        not_modified = await client.get("/api/sync/bundle", headers={"accept-encoding": coding, "if-none-match": etag})
        assert not_modified.status_code == 304


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip;q=1, br;q=0.1", "gzip"),
        ("br, gzip", "br"),
        ("gzip, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("identity", None),
        ("br;q=0, gzip;q=0", None),
    ],
)
async def test_the_bundle_comes_in_the_coding_the_phone_prefers(client, accept, coding):
    await current_bundle(client)
    response = await client.get("/api/sync/bundle", headers={"accept-encoding": accept})
    assert response.headers.get("content-encoding") == coding


async def test_the_bundle_answers_head(client):
    await current_bundle(client)
    got = await client.get("/api/sync/bundle", headers={"accept-encoding": "gzip"})
    head = await client.head("/api/sync/bundle", headers={"accept-encoding": "gzip"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == got.headers["content-length"]


async def test_changes_give_upserts_and_tombstones(client, as_organiser, fresh_programme):
    version = (await client.get("/api/festival")).json()["version"]
    empty = (await client.get("/api/sync/changes", params={"since": version})).json()
    assert empty == {"from": version, "to": version, "upserts": {}, "deletes": {}}

    event_id, gone_id = await some_event_ids(client, 2)
    await client.patch(f"/api/events/{event_id}", json={"status": "cancelled"}, headers=as_organiser)
    await client.delete(f"/api/events/{gone_id}", headers=as_organiser)
    feed = (await client.get("/api/sync/changes", params={"since": version})).json()
    assert feed["from"] == version and feed["to"] == version + 2
    assert [e["id"] for e in feed["upserts"]["event"]] == [event_id]
    assert feed["upserts"]["event"][0]["status"] == "cancelled"
    assert feed["deletes"] == {"event": [gone_id]}
    size = len(msgspec.json.encode(feed))
    assert size < 2048, f"one edited event should cost well under 2 KB, got {size}"


async def test_changes_are_read_once_per_cursor_and_version(client, as_organiser, fresh_programme, monkeypatch):
    from server.syncing import feed

    reads = []
    real = feed.changes_since

    async def counted(engine, snapshot, since, sources):
        reads.append(since)
        return await real(engine, snapshot, since, sources)

    monkeypatch.setattr(feed, "changes_since", counted)
    version = (await client.get("/api/festival")).json()["version"]
    for _ in range(3):  # up to date: answered without reading anything
        assert (await client.get("/api/sync/changes", params={"since": version})).json()["to"] == version
    assert reads == []
    event_id = (await some_event_ids(client, 1))[0]
    await client.patch(f"/api/events/{event_id}", json={"status": "cancelled"}, headers=as_organiser)
    answers = [(await client.get("/api/sync/changes", params={"since": version})).json() for _ in range(3)]
    assert reads == [version] and all(a == answers[0] for a in answers)
    assert answers[0]["to"] == version + 1 and answers[0]["upserts"]["event"][0]["status"] == "cancelled"
    await client.patch(f"/api/events/{event_id}", json={"status": "scheduled"}, headers=as_organiser)
    again = (await client.get("/api/sync/changes", params={"since": version})).json()
    assert reads == [version, version] and again["to"] == version + 2  # a new version reads afresh


async def test_changes_refuse_cursors_outside_the_log(client, in_app):
    from server.syncing.feed import prune

    version = (await client.get("/api/festival")).json()["version"]
    assert (await client.get("/api/sync/changes", params={"since": version + 10})).status_code == 410
    assert (await client.get("/api/sync/changes", params={"since": -1})).status_code == 422
    assert (await client.get("/api/sync/changes", params={"since": "abc"})).status_code == 422
    through = in_app(prune, 5)
    client.app.state.snapshots.invalidate()
    response = await client.get("/api/sync/changes", params={"since": through - 1})
    assert response.status_code == 410 and "bundle" in response.json()["detail"]
    assert (await client.get("/api/sync/changes", params={"since": through})).status_code == 200


async def test_push_applies_once_and_answers_duplicates(client, device):
    events = await some_event_ids(client)
    batch = [mutation("favourite.set", event_id=e) for e in events] + [
        mutation("favourite.unset", event_id=events[0]),
        mutation("settings.set", lang="en", reminder_minutes=30),
    ]
    response = await push(client, device, batch)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["last_mutation_id"] == batch[-1]["id"]
    assert [r["status"] for r in body["results"]] == ["applied"] * 5
    replay = (await push(client, device, batch)).json()
    assert [r["status"] for r in replay["results"]] == ["duplicate"] * 5
    me = (await client.get("/api/me", headers=device["auth"])).json()
    assert me["favourites"] == sorted(events[1:])
    assert me["settings"] == {"lang": "en", "reminder_minutes": 30}


async def test_a_bad_mutation_is_rejected_and_does_not_block_the_queue(client, device):
    events = await some_event_ids(client, 1)
    batch = [
        mutation("favourite.set", event_id="no-such-event"),
        mutation("teleport", where="moon"),
        mutation("settings.set", lang="fr"),
        mutation("favourite.set", event_id=events[0]),
    ]
    body = (await push(client, device, batch)).json()
    assert [(r["status"], r.get("reason")) for r in body["results"]] == [
        ("rejected", "unknown_event"),
        ("rejected", "unknown_mutation"),
        ("rejected", "invalid_args"),
        ("applied", None),
    ]
    assert body["last_mutation_id"] == batch[-1]["id"]
    replay = (await push(client, device, batch[:1])).json()
    assert replay["results"][0]["status"] == "duplicate"


async def test_same_id_twice_in_one_batch_is_a_duplicate(client, device):
    events = await some_event_ids(client, 1)
    m = mutation("favourite.set", event_id=events[0])
    body = (await push(client, device, [m, m])).json()
    assert [r["status"] for r in body["results"]] == ["applied", "duplicate"]


async def test_a_mutation_id_is_the_same_in_either_case(client, device):
    events = await some_event_ids(client, 1)
    m = mutation("favourite.set", event_id=events[0])
    shouted = {**m, "id": m["id"].upper()}
    first = (await push(client, device, [shouted])).json()["results"]
    again = (await push(client, device, [m])).json()["results"]
    assert [(r["id"], r["status"]) for r in first + again] == [(shouted["id"], "applied"), (m["id"], "duplicate")]


async def test_push_guards(client, device):
    m = [mutation("favourite.set", event_id="x")]
    assert (await client.post("/api/sync/push", json={"client_id": device["id"], "mutations": m})).status_code == 401
    assert (await push(client, device, m, client_id="someone-else")).status_code == 403
    too_many = [mutation("favourite.unset", event_id="x") for _ in range(501)]
    response = await push(client, device, too_many)
    assert response.status_code == 413
    bad_id = [{"id": "not-a-uuid", "name": "favourite.set", "args": {}}]
    assert (await push(client, device, bad_id)).status_code == 422
    me = (await client.get("/api/me", headers=device["auth"])).json()
    assert me["favourites"] == []


async def test_device_registration_is_rate_limited(client):
    first = await client.post("/api/devices")
    assert first.status_code == 201
    created = first.json()
    assert created["token"].startswith("dev_") and created["device_id"]
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {created['token']}"})
    assert me.status_code == 200 and me.json()["favourites"] == []
    statuses = [(await client.post("/api/devices")).status_code for _ in range(60)]
    assert statuses.count(429) > 0 and 201 in statuses
    assert statuses[statuses.index(429) :] == [429] * (len(statuses) - statuses.index(429))
    # the phone's sync engine waits as long as Retry-After says
    assert 0 < int((await client.post("/api/devices")).headers["retry-after"]) <= 60


async def test_json_nested_too_deeply_is_refused_as_bad_input(client, device):
    """A 5xx would have the phone retry its batch forever; a 400 lets it find and drop the one bad write."""
    deep = b"[" * 1000 + b"]" * 1000
    mutation = b'{"id":"0192d5a0-0000-7000-8000-000000000001","name":"settings.set","at":"2024-11-12T10:00:00+07:00",'
    body = (
        b'{"client_id":"' + device["id"].encode() + b'","mutations":[' + mutation + b'"args":{"lang":' + deep + b"}}]}"
    )
    for path, headers in (("/api/sync/push", device["auth"]), ("/api/auth/login", {}), ("/api/itineraries", {})):
        response = await client.post(path, content=body, headers={**headers, "content-type": "application/json"})
        assert response.status_code == 400 and "nested too deeply" in response.json()["detail"], (path, response.text)
    me = (await client.get("/api/me", headers=device["auth"])).json()
    assert me["settings"].get("lang") in (None, "vi")  # nothing applied


def test_every_protocol_mutation_has_exactly_one_handler(client):
    from server.syncing.mutations import MutationApplier
    from sync.messages import MUTATION_ARGS

    applier = client.app.state.applier
    assert set(applier.by_name) == set(MUTATION_ARGS)
    handler = applier.by_name["favourite.set"]
    with pytest.raises(ValueError, match="two handlers"):
        MutationApplier(applier.engine, [handler, handler])
    with pytest.raises(ValueError, match="not a mutation of the sync protocol"):
        MutationApplier(applier.engine, [type("Stray", (), {"names": ("group.join",)})()])


def test_concurrent_uploads_commit_together_and_a_failing_one_fails_alone(client, in_app, monkeypatch):
    """Group commit: uploads waiting at the same moment share one transaction, each in its own savepoint."""
    import asyncio
    import contextlib

    from server.accounts.devices import register_device
    from server.accounts.mutations import FavouriteHandler
    from server.accounts.tables import Favourite
    from server.auth import Principal
    from server.domain import BatchContext
    from server.syncing import mutations as applier_module
    from server.syncing.tables import AppliedMutation
    from sync.messages import Applied, Mutation

    app_state = client.app.state
    now = app_state.clock.now()
    devices = [in_app(register_device, now)[0] for _ in range(12)]
    broken = devices[5]
    transactions = []
    real_transaction = applier_module.write_transaction

    @contextlib.asynccontextmanager
    async def counted(engine):
        transactions.append(1)
        async with real_transaction(engine):
            yield

    real_flush = FavouriteHandler.flush

    async def flush(self, ctx, state):
        await real_flush(self, ctx, state)
        if ctx.principal.subject == broken:
            raise RuntimeError("the disk is full, for this one device")

    monkeypatch.setattr(applier_module, "write_transaction", counted)
    monkeypatch.setattr(FavouriteHandler, "flush", flush)

    async def upload_all():
        snapshot = await app_state.snapshots.get()
        event_id = snapshot.events[0].id
        jobs = [
            app_state.applier.apply_batch(
                BatchContext(principal=Principal(role="attendee", subject=d), snapshot=snapshot, now=now),
                [Mutation(id=str(uuid.uuid4()), name="favourite.set", args={"event_id": event_id})],
            )
            for d in devices
        ]
        answers = await asyncio.gather(*jobs, return_exceptions=True)
        stored = {r["device"] for r in await Favourite.select(Favourite.device).where(Favourite.device.is_in(devices))}
        records = await AppliedMutation.count().where(AppliedMutation.client_id.is_in(devices))
        return answers, stored, records

    answers, stored, records = in_app(upload_all)
    failed = [d for d, a in zip(devices, answers, strict=False) if isinstance(a, Exception)]
    assert failed == [broken]
    assert all(isinstance(a[0], Applied) for d, a in zip(devices, answers, strict=False) if d != broken)
    assert stored == set(devices) - {broken} and records == len(devices) - 1  # the failed one left nothing
    assert len(transactions) < len(devices)  # they did not each take a transaction of their own


async def test_an_upload_too_large_is_refused_whole(client, device):
    event_id = (await some_event_ids(client, 1))[0]
    five_mb = {
        "client_id": device["id"],
        "mutations": [mutation("favourite.set", event_id=event_id)],
        "padding": "x" * (5 * 1024 * 1024),
    }
    response = await push_raw(client, device, five_mb)
    assert response.status_code == 413, response.text
    too_many = [mutation("favourite.set", event_id=event_id) for _ in range(1000)]
    response = await push(client, device, too_many)
    assert response.status_code == 413 and "at most 500" in response.json()["detail"]
    assert (await client.get("/api/me", headers=device["auth"])).json()["favourites"] == []
    again = await push(client, device, too_many[:1])
    assert again.json()["results"][0]["status"] == "applied"  # nothing of the refused upload was recorded


async def push_raw(client, device, body):
    return await client.post(
        "/api/sync/push",
        content=msgspec.json.encode(body),
        headers={**device["auth"], "content-type": "application/json"},
    )


async def test_bundle_files_and_the_change_log_are_kept_only_so_far(
    client, in_app, as_organiser, device, fresh_programme, tmp_path
):
    """Each new version's bundle deletes the files of all but the newest `files_kept` versions and prunes the log
    to its last `log_kept` versions; a phone offline for longer takes the bundle and loses nothing of its own."""
    import asyncio
    from functools import partial

    from server.syncing.bundles import BundleCache
    from server.syncing.feed import prune

    state = client.app.state
    parts = [p for p in state.bundles._parts]
    cache = BundleCache(state.snapshots, tmp_path, parts, files_kept=2, after_build=partial(prune, 3))

    async def built() -> int:
        version = (await state.snapshots.get()).version
        while (await cache.get()).version != version:
            await asyncio.sleep(0.02)
        return version

    offline_at = in_app(built)  # the phone's cursor when it lost signal, with a favourite still in its outbox
    event_id = (await some_event_ids(client, 1))[0]
    outbox = [mutation("favourite.set", event_id=event_id)]
    versions = [offline_at]
    for n in range(4):  # the organisers edit meanwhile; each version's bundle is built
        await client.patch(f"/api/events/{event_id}", json={"capacity": 40 + n}, headers=as_organiser)
        versions.append(in_app(built))
        plain = sorted(p.name for p in tmp_path.glob("bundle-*.json"))
        assert len(plain) == min(n + 2, 2), plain
        assert len(list(tmp_path.iterdir())) == 3 * len(plain)  # raw, .gz and .br of each, nothing else
    bundle = msgspec.json.decode((tmp_path / plain[0]).read_bytes())
    assert bundle["retention"] == {"change_log_versions": client.app.state.settings.change_log_kept}

    current = versions[-1]
    assert current - offline_at > 3
    gone = await client.get("/api/sync/changes", params={"since": offline_at})
    assert gone.status_code == 410 and "bundle" in gone.json()["detail"]
    assert (await client.get("/api/sync/changes", params={"since": current - 3})).status_code == 200
    # the phone takes the bundle and sends its outbox: nothing of its own is lost
    assert (await current_bundle(client)).json()["version"] == current
    [result] = (await push(client, device, outbox)).json()["results"]
    assert result["status"] == "applied"
    assert event_id in (await client.get("/api/me", headers=device["auth"])).json()["favourites"]


async def test_changes_from_the_current_version_answer_as_the_routed_handler_does(client, as_organiser):
    """Served before routing (server/syncing/fastpath.py): the same body and headers as a routed answer."""
    version = (await client.get("/api/festival")).json()["version"]
    fast = await client.get(f"/api/sync/changes?since={version}")
    assert fast.status_code == 200 and fast.json() == {"from": version, "to": version, "upserts": {}, "deletes": {}}
    event_id = (await some_event_ids(client, 1))[0]
    await client.patch(f"/api/events/{event_id}", json={"capacity": 7}, headers=as_organiser)
    routed = await client.get(f"/api/sync/changes?since={version}")  # behind: read from the log by the handler
    fast = await client.get(f"/api/sync/changes?since={version + 1}")
    assert fast.json() == {"from": version + 1, "to": version + 1, "upserts": {}, "deletes": {}}
    assert sorted(fast.headers.keys()) == sorted(routed.headers.keys())
    for name in ("content-type", "content-security-policy", "x-content-type-options"):
        assert fast.headers[name] == routed.headers[name]
    assert fast.headers["x-lehoi-now"] == routed.headers["x-lehoi-now"]  # the fixed festival clock
    head = await client.head(f"/api/sync/changes?since={version + 1}")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == str(len(fast.content))
    # a cursor not written canonically goes to the router, and its refusal
    assert (await client.get(f"/api/sync/changes?since=0{version + 1}")).status_code == 422
