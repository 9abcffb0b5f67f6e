"""A faithful Chatwoot v4.15.1 simulator (Application API + webhooks) for tests, demos and benchmarks."""

from .app_factory import create_simulator_app
from .demo import DEMO_TOKEN, demo_simulator, demo_token, make_template, open_demo_simulator, wire_demo_webhook
from .faults import RequestRecord
from .server import SimulatorServer, serve
from .simulator import ChatwootSimulator
from .webhooks import ALLOWED_EVENTS, WebhookDelivery, encode_body, signature

__all__ = [
    "ALLOWED_EVENTS",
    "DEMO_TOKEN",
    "ChatwootSimulator",
    "RequestRecord",
    "SimulatorServer",
    "WebhookDelivery",
    "create_simulator_app",
    "demo_simulator",
    "demo_token",
    "encode_body",
    "make_template",
    "open_demo_simulator",
    "serve",
    "signature",
    "wire_demo_webhook",
]
