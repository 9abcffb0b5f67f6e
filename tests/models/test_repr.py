"""Models print as something a person can read in a shell or a log, never with a secret."""

from app.models import ChatwootConfig, Client, Notification


def test_a_client_prints_its_id_and_name():
    client = Client(id="cp-1", first_name="Ana", last_name="López", phone_e164="+525512345678")
    assert repr(client) == ("<Client cp-1 first_name='Ana' last_name='López' phone_e164='+525512345678' "
                            "chatwoot_contact_id=None>")


def test_a_notification_prints_type_channel_status():
    row = Notification(id="n1", type="TEST", channel="CHATWOOT", status="pending")
    assert repr(row) == "<Notification n1 type='TEST' channel='CHATWOOT' status='pending'>"


def test_settings_never_print_their_secrets():
    config = ChatwootConfig(id="c1", tenant_id="t1", account_id="1")
    config.webhook_secret = "s3cr3t-value"
    assert "s3cr3t" not in repr(config)
