"""CSV imports through the CLI: good, bad and duplicate rows; unreadable files change nothing."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Appointment, Client


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _client(citaplanner_id):
    return db.session.scalar(select(Client).where(Client.external_id == citaplanner_id))


def _appointment(citaplanner_id):
    return db.session.scalar(select(Appointment).where(Appointment.external_id == citaplanner_id))


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_clients_import_good_bad_and_duplicate_rows(app, tenant, tmp_path):
    path = _write(tmp_path, "clients.csv", "\n".join([
        "id,first_name,last_name,phone,email,marketing_opt_out",
        "cp-1,Juan,Pérez,55 1234 5678,juan@example.com,no",
        ",María,López,+52 55 8765 4321,,sí",
        "cp-3,,SinNombre,5511112222,,",
        "cp-4,Pedro,Malo,abc,,",
        "cp-1,Juan,Otra Vez,55 1234 5678,,",
        "cp-5,Eva,Correo,5533334444,not-an-email,",
    ]))
    result = app.test_cli_runner().invoke(args=["clients", "import", "uno", path])
    assert result.exit_code == 1
    assert "created: 2  updated: 0  rejected: 4" in result.output
    assert "line 4: first_name is required" in result.output
    assert "line 5: phone: not a phone number" in result.output
    assert "line 6: duplicate of line 2" in result.output
    assert "line 7: email" in result.output
    juan = _client("cp-1")
    assert juan.phone_e164 == "+525512345678" and juan.last_name == "Pérez"
    maria = db.session.scalar(select(Client).where(Client.first_name == "María"))
    assert maria.marketing_opt_out is True and maria.phone_e164 == "+525587654321"


def test_clients_import_updates_by_id_and_by_phone(app, tenant, tmp_path):
    runner = app.test_cli_runner()
    first = _write(tmp_path, "a.csv", "id,first_name,last_name,phone\ncp-1,Juan,Pérez,5512345678\n")
    assert runner.invoke(args=["clients", "import", "uno", first]).exit_code == 0
    second = _write(tmp_path, "b.csv", "id,first_name,last_name,phone\ncp-1,Juan Carlos,Pérez,5512345678\n"
                                       ",Juanito,Pérez,5512345678\n")
    result = runner.invoke(args=["clients", "import", "uno", second])
    assert "created: 0  updated: 2  rejected: 0" in result.output, result.output
    assert _count(Client) == 1
    assert _client("cp-1").first_name == "Juanito"


def test_unreadable_file_changes_nothing(app, tenant, tmp_path):
    runner = app.test_cli_runner()
    missing_column = _write(tmp_path, "bad.csv", "nombre,telefono\nJuan,5512345678\n")
    result = runner.invoke(args=["clients", "import", "uno", missing_column])
    assert result.exit_code == 2 and "missing column(s): first_name, phone" in result.output
    result = runner.invoke(args=["clients", "import", "uno", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert runner.invoke(args=["clients", "import", "uno", str(binary)]).exit_code == 2
    assert _count(Client) == 0


def test_unknown_tenant_is_an_error(app, tmp_path):
    path = _write(tmp_path, "c.csv", "first_name,phone\nA,5512345678\n")
    result = app.test_cli_runner().invoke(args=["clients", "import", "nadie", path])
    assert result.exit_code == 1 and "no tenant" in result.output


def test_appointments_import(app, tenant, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["clients", "import", "uno",
                        _write(tmp_path, "c.csv", "id,first_name,phone\ncp-1,Juan,55 1234 5678\n")])
    path = _write(tmp_path, "a.csv", "\n".join([
        "id,client_id,client_phone,starts_at,ends_at,service_name,staff_name,status",
        "ap-1,cp-1,,2026-12-01T10:00,2026-12-01T11:00,Corte,Laura,scheduled",
        "ap-2,,+5215512345678,2026-12-02T10:00:00-06:00,,Tinte,Laura,",
        "ap-3,cp-999,,2026-12-01T10:00,,Corte,Laura,",
        "ap-4,cp-1,,mañana,,Corte,Laura,",
        "ap-5,cp-1,,2026-12-01T10:00,2026-12-01T09:00,Corte,Laura,",
        "ap-6,cp-1,,2026-12-01T10:00,,Corte,Laura,perhaps",
    ]))
    result = runner.invoke(args=["appointments", "import", "uno", path])
    assert result.exit_code == 1
    assert "created: 2  updated: 0  rejected: 4" in result.output, result.output
    first = _appointment("ap-1")
    assert first.starts_at.isoformat() == "2026-12-01T16:00:00+00:00"  # Mexico City is UTC-6
    assert _appointment("ap-2").client.external_id == "cp-1"


def test_clients_import_takes_real_phone_fields(app, tenant, tmp_path):
    path = _write(tmp_path, "clients.csv", "\n".join([
        "first_name,last_name,phone",
        "Ana,Ext,55 8642 9753 ext. 12",
        "Bea,Equis,55 7531 8642 x3",
        "Cris,Cel,cel. 55 2222 3333",
        "Dora,Twilio,whatsapp:+5215544445555",
    ]))
    result = app.test_cli_runner().invoke(args=["clients", "import", "uno", path])
    assert result.exit_code == 0, result.output
    stored = dict(db.session.execute(select(Client.first_name, Client.phone_e164)).all())
    assert stored == {"Ana": "+525586429753", "Bea": "+525575318642", "Cris": "+525522223333",
                      "Dora": "+525544445555"}
    ana = db.session.scalar(select(Client).where(Client.first_name == "Ana"))
    assert ana.phone == "55 8642 9753 ext. 12"  # kept as typed; the extension is never part of the key
