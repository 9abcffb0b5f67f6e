"""Where outbound calls may go (Chatwoot and the booking callback): the address rule and the transport
that enforces it. Only the adapters (app/chatwoot/client.py, app/booking/callback.py) mount the transport.

With CHATWOOT_ALLOW_PRIVATE_NETWORK off, a host that resolves to a loopback, private, link-local,
reserved, multicast or unspecified address is refused. The rule is checked on the addresses the
connection really uses: the guarded connection resolves the host once, checks every address, then
connects to a checked address itself (the Host header and TLS SNI keep the original name), so a DNS
answer that changes between a check and the connection (rebinding) cannot get around it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

EXCERPT_LENGTH = 200


class DestinationRefused(Exception):
    """The host resolves to a forbidden `address` (or cannot be resolved: `address` is None); nothing was sent."""

    def __init__(self, host: str, address: str | None, message: str):
        super().__init__(message)
        self.host, self.address = host, address


def allow_private_network() -> bool:
    """CHATWOOT_ALLOW_PRIVATE_NETWORK of the running app, else the environment's default."""
    from flask import current_app, has_app_context

    from app.config import default_allow_private_network

    if has_app_context():
        return bool(current_app.config.get("CHATWOOT_ALLOW_PRIVATE_NETWORK", default_allow_private_network()))
    return default_allow_private_network()


def excerpt(text: object, limit: int = EXCERPT_LENGTH) -> str:
    """A remote answer as a page may show it: one line, at most `limit` characters (pages escape it)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def is_forbidden(address: str) -> bool:
    """Loopback, private, link-local, reserved, multicast or unspecified (IPv4-mapped IPv6 as its IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_unspecified


def _refusal(host: str, address: str) -> DestinationRefused:
    return DestinationRefused(host, address, f"{excerpt(host, 100)} resolves to {address}, a loopback, private, "
                              "link-local or reserved address; calls there are off "
                              "(CHATWOOT_ALLOW_PRIVATE_NETWORK=false)")


def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, all checked; DestinationRefused names the first bad one."""
    infos = socket.getaddrinfo(host.strip("[]"), port, 0, socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        if is_forbidden(address):
            raise _refusal(host, address)
    return addresses


def check_url(url: str) -> None:
    """Refuse a URL whose host resolves to a forbidden address (at save time; calls check again)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise DestinationRefused("", None, f"the address has no host: {excerpt(url, 100)}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        public_addresses(parts.hostname, port)
    except OSError as exc:
        raise DestinationRefused(parts.hostname, None, f"the host {excerpt(parts.hostname, 100)} cannot be "
                                 f"resolved ({type(exc).__name__})") from None


def _guarded_new_conn(self: HTTPConnection) -> socket.socket:
    """urllib3's _new_conn, connecting only to addresses that passed the check."""
    try:
        addresses = public_addresses(self._dns_host, self.port)
    except socket.gaierror as exc:
        raise NameResolutionError(self.host, self, exc) from exc
    error: Exception | None = None
    for address in addresses:
        try:
            return create_connection((address, self.port), self.timeout, source_address=self.source_address,
                                     socket_options=self.socket_options)
        except TimeoutError:
            error = ConnectTimeoutError(self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})")
        except OSError as exc:
            error = NewConnectionError(self, f"Failed to establish a new connection: {exc}")
    raise error or NewConnectionError(self, f"{self.host} resolves to no address")


class _GuardedHTTPConnection(HTTPConnection):
    _new_conn = _guarded_new_conn


class _GuardedHTTPSConnection(HTTPSConnection):
    _new_conn = _guarded_new_conn


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests transport whose connections go only to public addresses."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
