"""Webhook URLs must not reach into our own network (SSRF): refused unless allowed by setting."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(Exception):
    """The URL (or an address its host resolves to) is not allowed; the message says why."""


def _private(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _private(address.ipv4_mapped)
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def _allowed_by_setting(host: str, address: IPAddress | None, allowed: list[str]) -> bool:
    for entry in allowed:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == host.lower():
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False


def check_address(host: str, address: IPAddress, allowed: list[str]) -> None:
    if _private(address) and not _allowed_by_setting(host, address, allowed):
        raise UrlRefused(f"{host} resolves to {address}, a non-public address")


def parse(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or UrlRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("only http and https URLs with a host are allowed")
    if parts.username or parts.password:
        raise UrlRefused("credentials in the URL are not allowed")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_url_syntax(url: str, allowed: list[str]) -> None:
    """At creation: literal IPs and well-known local names are checked without DNS."""
    _scheme, host, _port = parse(url)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.lower()
        local = name in ("localhost", "localhost.localdomain") or name.endswith(".localhost")
        if local and not _allowed_by_setting(host, None, allowed):
            raise UrlRefused(f"{host} is a loopback name") from None
        return
    check_address(host, address, allowed)


async def resolve_checked(url: str, allowed: list[str]) -> tuple[str, str, int, IPAddress]:
    """At delivery: resolve the host and check every address; returns one to connect to, so
    the check and the connection use the same address (no DNS rebinding in between)."""
    scheme, host, port = parse(url)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        check_address(host, literal, allowed)
        return scheme, host, port, literal
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UrlRefused(f"{host} does not resolve: {exc.strerror or exc}") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise UrlRefused(f"{host} does not resolve")
    for address in addresses:
        check_address(host, address, allowed)
    return scheme, host, port, addresses[0]
