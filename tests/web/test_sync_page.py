"""Sync page: start, a progress bar that polls only while the run is active, cancel, history with errors."""

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db, huey
from app.models import AuditLog, Client, SyncRun, SyncStatus, utcnow
from app.web.sync.progress import progress, seconds_left

HX = {"HX-Request": "true"}


def drain() -> int:
    """Run every queued job, as the worker would."""
    done = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        done += 1
    return done


def add_clients(tenant, n):
    db.session.add_all([Client(tenant_id=tenant.id, first_name=f"Cliente{i}", last_name="Prueba",
                               phone=f"55 1000 {i:04d}") for i in range(n)])
    db.session.commit()


def test_empty_page_explains_the_next_step(admin, tenant):
    page = admin.get("/t/uno/sync/")
    assert page.status_code == 200
    assert "Aún no se ha sincronizado" in page.text and "Iniciar sincronización" in page.text


def test_start_without_credentials_says_why(admin, tenant):
    response = admin.post("/t/uno/sync/start", follow_redirects=True)
    assert "No se pudo iniciar la sincronización" in response.text and "missing" in response.text
    assert db.session.scalar(select(SyncRun)) is None


def test_start_poll_and_finish(admin, admin_user, wired_tenant, chatwoot):
    add_clients(wired_tenant, 20)
    assert admin.post("/t/uno/sync/start").status_code == 302
    run = db.session.scalar(select(SyncRun))
    assert (run.status, run.total, run.started_by_id) == (SyncStatus.QUEUED, 20, admin_user.id)
    page = admin.get("/t/uno/sync/").text
    assert f'hx-get="/t/uno/sync/{run.id}/progress" hx-trigger="every 1s"' in page
    assert "Iniciar sincronización" not in page and "Cancelar" in page
    polling = admin.get(f"/t/uno/sync/{run.id}/progress", headers=HX).text
    assert 'hx-trigger="every 1s"' in polling and "<html" not in polling and "calculando" in polling
    assert drain() >= 1
    finished = admin.get(f"/t/uno/sync/{run.id}/progress", headers=HX).text
    assert "hx-trigger" not in finished and "Terminada" in finished
    assert "Sincronizados 20 de 20" in finished and 'max="20" value="20"' in finished
    # The history row is swapped with the card, so it never says "En cola" while the card says "Terminada".
    oob = re.search(rf'<td id="run-{run.id}-status" hx-swap-oob="true">(.*?)</td>', finished, re.S)
    assert oob and "Terminada" in oob.group(1)
    assert f'<td id="run-{run.id}-progress" hx-swap-oob="true">20 / 20</td>' in finished
    assert f'<td id="run-{run.id}-status">' in admin.get("/t/uno/sync/").text  # the row the swap targets
    history = admin.get("/t/uno/sync/").text
    assert "Iniciar sincronización" in history and admin_user.email in history
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "sync.start")).actor == admin_user.email


def test_second_start_while_one_is_active_shows_the_running_one(admin, wired_tenant):
    admin.post("/t/uno/sync/start")
    response = admin.post("/t/uno/sync/start", follow_redirects=True)
    runs = db.session.scalars(select(SyncRun)).all()
    assert len(runs) == 1
    assert "Ya hay una sincronización en curso; este es su avance." in response.text
    assert f"/t/uno/sync/{runs[0].id}/progress" in response.text, "the running one's progress is on the page"
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.action == "sync.start")).all()) == 1


def test_cancel_a_queued_run(admin, wired_tenant):
    admin.post("/t/uno/sync/start")
    run = db.session.scalar(select(SyncRun))
    response = admin.post(f"/t/uno/sync/{run.id}/cancel", follow_redirects=True)
    assert "Sincronización cancelada" in response.text
    db.session.refresh(run)
    assert run.status == SyncStatus.CANCELLED
    assert "hx-trigger" not in admin.get(f"/t/uno/sync/{run.id}/progress", headers=HX).text


def test_cancel_a_running_run_asks_it_to_stop(admin, tenant):
    run = SyncRun(tenant_id=tenant.id, status=SyncStatus.RUNNING, total=10, processed=3, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    response = admin.post(f"/t/uno/sync/{run.id}/cancel", follow_redirects=True)
    assert "se detiene al terminar el lote" in response.text
    db.session.refresh(run)
    assert run.cancel_requested and run.status == SyncStatus.RUNNING
    assert "cancelando" in admin.get(f"/t/uno/sync/{run.id}/progress", headers=HX).text


def test_history_shows_errors_and_pages_by_keyset(admin, tenant):
    start = utcnow() - timedelta(days=1)
    for i in range(25):
        db.session.add(SyncRun(tenant_id=tenant.id, status=SyncStatus.DONE, total=5, processed=5,
                               created_at=start + timedelta(minutes=i)))
    db.session.add(SyncRun(tenant_id=tenant.id, status=SyncStatus.FAILED, total=5, processed=2, failed=1,
                           error="Chatwoot: Invalid Access Token", created_at=utcnow(),
                           errors=[{"client_id": "c1", "kind": "failed", "message": "phone_number is invalid"}]))
    db.session.commit()
    page = admin.get("/t/uno/sync/").text
    assert "Chatwoot: Invalid Access Token" in page and "phone_number is invalid" in page
    assert page.count("<tr>") == 21  # header + 20 runs
    older = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    rest = admin.get(older, headers={**HX, "HX-Target": "sync-history"}).text
    assert "<html" not in rest and rest.count("<tr>") == 7  # header + 6 older runs


def test_time_left_estimate():
    now = utcnow()
    run = SyncRun(status=SyncStatus.RUNNING, total=100, processed=25, started_at=now - timedelta(seconds=50))
    assert seconds_left(run, now) == 150
    assert progress(run, now).percent == 25
    assert seconds_left(SyncRun(status=SyncStatus.RUNNING, total=100, processed=0, started_at=now), now) is None
    assert seconds_left(SyncRun(status=SyncStatus.DONE, total=100, processed=100, started_at=now), now) is None
    assert progress(SyncRun(status=SyncStatus.DONE, total=0, processed=0)).percent == 100


def test_access_matrix(app, admin, staff, tenant, other_tenant):
    theirs = SyncRun(tenant_id=other_tenant.id, status=SyncStatus.QUEUED)
    db.session.add(theirs)
    db.session.commit()
    assert admin.get("/t/dos/sync/").status_code == 200
    assert staff.get("/t/uno/sync/").status_code == 200
    assert staff.get("/t/dos/sync/").status_code == 404
    assert staff.post("/t/dos/sync/start").status_code == 404
    assert staff.get(f"/t/uno/sync/{theirs.id}/progress").status_code == 404
    assert staff.post(f"/t/uno/sync/{theirs.id}/cancel").status_code == 404
    response = app.test_client().get("/t/uno/sync/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
