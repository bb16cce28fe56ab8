"""One of two hosts killed (SIGKILL) while phones upload: the other host keeps answering, each phone retries what
was not acknowledged on the host still up (as a load balancer would send it), and every mutation lands exactly
once, those that were in flight on the dead host included."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest

from .conftest import query

PHONES = 16
STARS = 12


class Phone(threading.Thread):
    """A phone with an outbox of favourites, uploading one mutation at a time to its host; when an upload gets no
    answer or a 5xx it keeps the outbox and tries the other host, as the PWA's outbox does behind a balancer."""

    def __init__(self, hosts: list[str], first: int, events: list[str]) -> None:
        super().__init__(daemon=True)
        self.hosts, self.current = hosts, first
        device = httpx.post(hosts[first] + "/api/devices", json={}, timeout=10).json()
        self.client_id = device["device_id"]
        self.auth = {"Authorization": f"Bearer {device['token']}"}
        self.outbox = [
            {"id": str(uuid.uuid4()), "name": "favourite.set", "args": {"event_id": event}} for event in events
        ]
        #: (host, status or the exception's name) of every upload
        self.answers: list[tuple[str, int | str]] = []
        self.acknowledged = 0

    def run(self) -> None:
        with httpx.Client(timeout=30) as http:
            while self.outbox:
                host = self.hosts[self.current]
                body = {"client_id": self.client_id, "mutations": self.outbox[:1]}
                try:
                    response = http.post(host + "/api/sync/push", json=body, headers=self.auth)
                except httpx.TransportError as error:
                    self.answers.append((host, type(error).__name__))
                    self.current = 1 - self.current
                    continue
                self.answers.append((host, response.status_code))
                if response.status_code >= 500:
                    self.current = 1 - self.current
                    continue
                assert response.status_code == 200, response.text
                answer = response.json()
                assert all(r["status"] in ("applied", "duplicate") for r in answer["results"]), answer
                done = [m["id"] for m in self.outbox].index(answer["last_mutation_id"]) + 1
                del self.outbox[:done]
                self.acknowledged += done
                time.sleep(0.05)


@pytest.mark.slow
def test_one_of_two_hosts_killed_mid_load_and_every_upload_lands_once(hosts):
    a, b = hosts(2, env={"LEHOI_DEVICE_RATE_PER_MINUTE": "1000"})
    events = [e["id"] for e in httpx.get(a.url + "/api/events").json()[:STARS]]
    assert len(events) == STARS
    phones = [Phone([a.url, b.url], n % 2, events) for n in range(PHONES)]
    survivor_answers: list[int | str] = []
    stop_reading = threading.Event()

    def read_the_survivor() -> None:
        with httpx.Client(base_url=b.url, timeout=10) as http:
            while not stop_reading.is_set():
                try:
                    survivor_answers.append(http.get("/api/festival").status_code)
                except httpx.TransportError as error:
                    survivor_answers.append(type(error).__name__)
                time.sleep(0.02)

    reader = threading.Thread(target=read_the_survivor, daemon=True)
    reader.start()
    for phone in phones:
        phone.start()
    total = PHONES * STARS
    deadline = time.monotonic() + 60
    while sum(p.acknowledged for p in phones) < total // 3:
        assert time.monotonic() < deadline, "the phones did not get a third of the way"
        time.sleep(0.01)
    a.kill()
    for phone in phones:
        phone.join(120)
        assert not phone.is_alive(), "a phone never emptied its outbox"
    stop_reading.set()
    reader.join(10)

    assert all(p.outbox == [] and p.acknowledged == STARS for p in phones)
    failed_on_a = [answer for p in phones for host, answer in p.answers if host == a.url and answer != 200]
    assert failed_on_a, "no upload met the dead host: the test proved nothing"
    from_b = {answer for p in phones for host, answer in p.answers if host == b.url}
    assert from_b == {200}, f"the surviving host failed uploads: {from_b}"
    assert set(survivor_answers) == {200}, set(survivor_answers)

    clients = [p.client_id for p in phones]
    applied = query(
        a,
        "SELECT client_id, mutation_id, count(*) AS n FROM applied_mutation WHERE client_id = ANY($1) "
        "GROUP BY client_id, mutation_id",
        clients,
    )
    assert len(applied) == total and {r["n"] for r in applied} == {1}
    favourites = query(a, "SELECT device, count(*) AS n FROM favourite WHERE device = ANY($1) GROUP BY device", clients)
    assert sorted(r["n"] for r in favourites) == [STARS] * PHONES
