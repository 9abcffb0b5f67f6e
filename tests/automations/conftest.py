from tests.automations.scenario import clock, salon
from tests.fixtures.webhooks import wired_hooked

__all__ = ["clock", "salon", "wired_hooked"]
