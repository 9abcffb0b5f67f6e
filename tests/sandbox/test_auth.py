"""Authentication, authorisation and the account-level endpoints (profile, inboxes, settings)."""

from __future__ import annotations

from .conftest import ADMIN, AGENT, API_INBOX, BOT, HIDDEN_INBOX, OTHER_ACCOUNT, OUTSIDER, WHATSAPP_INBOX

SIGN_IN = {"errors": ["You need to sign in or sign up before continuing."]}
POLICY = {"error": "You are not authorized to do this action"}


def test_missing_token_gets_the_devise_body(api):
    for path in ("/api/v1/profile", "/contacts", "/inboxes"):
        response = api.as_(None).get(path)
        assert response.status_code == 401
        assert response.json() == SIGN_IN


def test_blank_token_counts_as_missing(api):
    response = api.as_(None).get("/contacts", headers={"api_access_token": ""})
    assert (response.status_code, response.json()) == (401, SIGN_IN)


def test_unknown_token(api):
    response = api.as_("nope").get("/contacts")
    assert (response.status_code, response.json()) == (401, {"error": "Invalid Access Token"})


def test_json_body_is_compact_without_trailing_newline(api):
    response = api.as_("nope").get("/contacts")
    assert response.text == '{"error":"Invalid Access Token"}'
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def test_hyphenated_header_works_like_the_underscore_one(api):
    response = api.as_(None).get("/api/v1/profile", headers={"Api-Access-Token": ADMIN})
    assert response.status_code == 200
    assert api.get("/api/v1/profile").status_code == 200


def test_user_outside_the_account(api):
    response = api.as_(OUTSIDER).get("/contacts")
    expected = {"error": "You are not authorized to access this account"}
    assert (response.status_code, response.json()) == (401, expected)


def test_unknown_account_is_not_found(api):
    response = api.as_(ADMIN, account_id=99).get("/contacts")
    assert (response.status_code, response.json()) == (404, {"error": "Resource could not be found"})


def test_bot_token_is_refused_on_profile_and_contacts(api):
    bots = {"error": "Access to this endpoint is not authorized for bots"}
    for path in ("/api/v1/profile", "/contacts", "/contacts/search?q=a", "/inboxes"):
        response = api.as_(BOT).get(path)
        assert (response.status_code, response.json()) == (401, bots)


def test_profile_lists_accounts_with_role(api):
    body = api.get("/api/v1/profile").json()
    assert body["name"] == "Carlos Ruiz" and body["email"] == "carlos@acme.mx"
    assert body["role"] == "administrator" and body["access_token"] == ADMIN
    account = body["accounts"][0]
    summary = (account["id"], account["name"], account["role"], account["status"])
    assert summary == (1, "Acme MX", "administrator", "active")
    assert api.as_(AGENT).get("/api/v1/profile").json()["accounts"][0]["role"] == "agent"


def test_inbox_list_and_secrets_for_admins(api):
    inboxes = {inbox["id"]: inbox for inbox in api.get("/inboxes").json()["payload"]}
    assert set(inboxes) == {API_INBOX, WHATSAPP_INBOX, HIDDEN_INBOX}
    api_inbox = inboxes[API_INBOX]
    assert api_inbox["channel_type"] == "Channel::Api" and api_inbox["provider"] is None
    assert {"secret", "hmac_token", "webhook_url", "inbox_identifier"} <= set(api_inbox)
    whatsapp = inboxes[WHATSAPP_INBOX]
    assert (whatsapp["provider"], whatsapp["phone_number"]) == ("whatsapp_cloud", "+525598765432")
    assert [t["name"] for t in whatsapp["message_templates"]] == ["seguimiento_lead", "borrador"]
    assert "provider_config" in whatsapp


def test_agents_see_only_member_inboxes_without_secrets(api):
    agent = api.as_(AGENT)
    inboxes = agent.get("/inboxes").json()["payload"]
    assert [inbox["id"] for inbox in inboxes] == [API_INBOX]
    assert "secret" not in inboxes[0] and "hmac_token" not in inboxes[0]
    assert "webhook_url" in inboxes[0] and "inbox_identifier" in inboxes[0]
    response = agent.get(f"/inboxes/{WHATSAPP_INBOX}")
    assert (response.status_code, response.json()) == (401, POLICY)


def test_single_inbox_and_unknown_inbox(api):
    inbox = api.get(f"/inboxes/{API_INBOX}").json()
    assert inbox["id"] == API_INBOX and "payload" not in inbox
    response = api.get("/inboxes/4242")
    assert (response.status_code, response.json()) == (404, {"error": "Resource could not be found"})


def test_custom_attribute_definitions(api):
    body = {"attribute_display_name": "Plan", "attribute_key": "plan", "attribute_model": "contact_attribute",
            "attribute_display_type": "list", "attribute_values": ["basic", "premium"]}
    created = api.post("/custom_attribute_definitions", json=body)
    assert created.status_code == 200
    definition = created.json()
    assert (definition["attribute_key"], definition["attribute_model"]) == ("plan", "contact_attribute")
    again = api.post("/custom_attribute_definitions", json={"custom_attribute_definition": body})
    assert again.status_code == 422
    assert again.json() == {"message": "Attribute key has already been taken",
                            "attributes": ["attribute_key"]}
    listed = api.get("/custom_attribute_definitions", params={"attribute_model": "contact_attribute"}).json()
    assert isinstance(listed, list) and [d["attribute_key"] for d in listed] == ["plan"]
    others = api.get("/custom_attribute_definitions", params={"attribute_model": "conversation_attribute"})
    assert others.json() == []


def test_custom_attribute_definition_rules(api):
    body = {"attribute_display_name": "Tel", "attribute_key": "phone_number", "attribute_model": 1,
            "attribute_display_type": 0}
    conflict = api.post("/custom_attribute_definitions", json=body)
    assert conflict.status_code == 422
    message = "Attribute key The provided key is not allowed as it might conflict with default attributes."
    assert conflict.json() == {"message": message, "attributes": ["attribute_key"]}
    denied = api.as_(AGENT).post("/custom_attribute_definitions", json={**body, "attribute_key": "x"})
    assert (denied.status_code, denied.json()) == (401, POLICY)


def test_account_webhooks_api(api):
    body = {"webhook": {"name": "Flask", "url": "https://flask.example.com/hook",
                        "subscriptions": ["message_created", "contact_updated"]}}
    created = api.post("/webhooks", json=body)
    assert created.status_code == 200
    webhook = created.json()["payload"]["webhook"]
    assert webhook["secret"] and webhook["account_id"] == 1 and webhook["name"] == "Flask"
    listed = api.get("/webhooks").json()["payload"]["webhooks"]
    assert [hook["id"] for hook in listed] == [webhook["id"]]
    duplicate = api.post("/webhooks", json=body)
    assert duplicate.json() == {"message": "Url has already been taken", "attributes": ["url"]}
    bad = api.post("/webhooks", json={"url": "https://x.example/h", "subscriptions": ["nope"]})
    assert (bad.status_code, bad.json()) == (422, {"message": "Subscriptions Invalid events",
                                                   "attributes": ["subscriptions"]})
    assert api.as_(AGENT).get("/webhooks").json() == POLICY
    assert api.as_(OUTSIDER, account_id=OTHER_ACCOUNT).get("/webhooks").json()["payload"]["webhooks"] == []
