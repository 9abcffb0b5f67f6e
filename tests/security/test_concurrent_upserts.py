"""Concurrency never shows as a 500: concurrent PUTs of one id, or of one phone under several ids, against
an app on a real SQLite file, from threads, for 100 rounds."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from app.extensions import db
from app.models import Appointment, Client

ROUNDS = 100
THREADS = 5


def _race(app, api, requests) -> list:
    """Send the (url, body) requests at once, one thread each; the answers as (status, json)."""
    barrier, answers = threading.Barrier(len(requests)), []

    def send(url, body):
        with app.app_context():
            barrier.wait()
            response = api.put(url, body)
            answers.append((response.status_code, response.json))
            db.session.remove()

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == len(requests)
    return answers


def _phone(round_no: int, area: str = "55") -> str:
    return f"{area} 70{round_no:02d} 00{round_no:02d}"


def test_same_id_same_phone_and_same_appointment(app, api, tenant):
    statuses = Counter()
    for n in range(ROUNDS):
        body = {"first_name": f"Ana {n}", "phone": _phone(n)}
        same_id = _race(app, api, [(f"/api/v1/clients/c{n}", body)] * THREADS)
        assert [status for status, _ in same_id].count(201) == 1, same_id
        assert {status for status, _ in same_id} <= {200, 201, 409}, same_id
        other = {"first_name": f"Eva {n}", "phone": _phone(n, "56")}
        same_phone = _race(app, api, [(f"/api/v1/clients/p{n}-{i}", other) for i in range(THREADS)])
        assert [status for status, _ in same_phone].count(201) == 1, same_phone
        for status, answer in same_phone:  # another id on a held number is refused naming the holder
            assert status in (201, 409, 422), answer
            if status == 422:
                assert answer["fields"]["phone"].startswith(f"phone {_phone(n, '56')} already belongs to client p")
        appt = {"client_id": f"c{n}", "starts_at": "2027-01-05T10:00:00"}
        same_appt = _race(app, api, [(f"/api/v1/appointments/a{n}", appt)] * THREADS)
        assert [status for status, _ in same_appt].count(201) == 1, same_appt
        statuses.update(status for status, _ in same_id + same_phone + same_appt)
    assert 500 not in statuses and set(statuses) <= {200, 201, 409, 422}, statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == ROUNDS
    # One client per id race and one per phone race: c<n> and the one p<n>-<i> that won.
    assert db.session.scalar(select(func.count()).select_from(Client)) == 2 * ROUNDS
    phones = db.session.execute(select(Client.phone_e164, func.count()).group_by(Client.phone_e164)).all()
    assert len(phones) == 2 * ROUNDS and all(count == 1 for _phone_key, count in phones)
