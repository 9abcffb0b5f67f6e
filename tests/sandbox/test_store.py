"""The simulator's state file: everything survives a restart, and no id is ever handed out twice."""

from __future__ import annotations

import json
import stat

import pytest
import requests

from app.sandbox import DEMO_TOKEN, SimulatorServer, demo_token, open_demo_simulator
from app.sandbox.store import StateFile, StateFileError


def _api(server: SimulatorServer, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.url}/api/v1/accounts/1{path}", headers={"api_access_token": token},
                            timeout=10, **kwargs)


def test_a_restarted_simulator_has_every_record_and_continues_the_ids(tmp_path):
    path = tmp_path / "sim.json"
    sim = open_demo_simulator(path)
    token = demo_token(sim)
    with SimulatorServer(sim) as server:
        created = _api(server, token, "POST", "/contacts", json={"name": "Gabriela Ruiz",
                                                                  "phone_number": "+525599990000"})
        gabriela = created.json()["payload"]["contact"]["id"]
        conversation = _api(server, token, "POST", "/conversations", json={"inbox_id": 1, "contact_id": gabriela,
                                                                          "message": {"content": "Hola"}}).json()
        _api(server, token, "PUT", f"/contacts/{gabriela}", json={"custom_attributes": {"client_id": "cli_9"}})

    again = open_demo_simulator(path)
    assert demo_token(again) == token
    assert again.contact(1, gabriela)["name"] == "Gabriela Ruiz"
    assert again.contact(1, gabriela)["custom_attributes"] == {"client_id": "cli_9"}
    assert [m["content"] for m in again.messages(1, conversation["id"])] == ["Hola"]
    with SimulatorServer(again) as server:
        marisol = _api(server, token, "POST", "/contacts", json={"name": "Marisol Vega",
                                                                 "phone_number": "+525588887777"})
        second = _api(server, token, "POST", "/conversations", json={"inbox_id": 1, "contact_id": gabriela}).json()
    assert marisol.json()["payload"]["contact"]["id"] == gabriela + 1
    assert second["id"] == conversation["id"] + 1


def test_a_merged_away_contact_id_is_never_given_again(tmp_path):
    path = tmp_path / "sim.json"
    sim = open_demo_simulator(path)
    token = demo_token(sim)
    with SimulatorServer(sim) as server:
        last = _api(server, token, "POST", "/contacts", json={"name": "Pedro", "phone_number": "+525500000009"})
        last_id = last.json()["payload"]["contact"]["id"]
        merged = _api(server, token, "POST", "/actions/contact_merge",
                      json={"base_contact_id": 1, "mergee_contact_id": last_id})
        assert merged.status_code == 200
    again = open_demo_simulator(path)
    assert again.contact(1, last_id) is None
    assert again.add_contact(1, name="Nueva", phone_number="+525500000010") == last_id + 1


def test_the_demo_state_gets_its_own_token_and_only_its_owner_reads_the_file(tmp_path):
    path = tmp_path / "instance" / "sim.json"
    token = demo_token(open_demo_simulator(path))
    assert token != DEMO_TOKEN and len(token) >= 20
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["format"] == 1 and any(user["token"] == token for user in saved["tables"]["users"])
    assert demo_token(open_demo_simulator(path)) == token


def test_a_broken_state_file_says_which_file(tmp_path):
    path = tmp_path / "sim.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StateFileError, match=r"sim\.json"):
        StateFile(path).read()
