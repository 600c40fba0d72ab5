"""Webhook URLs must not reach into our own network (SSRF): refused unless allowed by setting.

Hosts are canonicalised before any check. A host that ends in a number is an IPv4 address to
the resolver (`inet_aton`) and to browsers (WHATWG URL), in any of its historic spellings:
`0177.0.0.1` (octal), `0x7f000001` (hex), `2130706433` (one number), `127.1` (fewer parts),
`0`. They used to pass the check at creation as "names" and reach 127.0.0.1 at delivery. Now
such a host is parsed the way the resolver would, and refused with the canonical form named
unless it is written as exactly that dotted quad; the same for a name that IDNA maps to
something else (`１２７．０．０．１`), so what is checked is what is connected to.

The allow-list (`NOTIFIER_TILLATNA_WEBHOOK_VARDAR`) names hosts, addresses or networks, each
with an optional port: `127.0.0.1:8123`, `hooks.intern:8443`, `10.20.0.0/16`, `[fd00::1]:9000`,
`127.0.0.1:*`. An entry without a port allows ports 80 and 443 only: allowing a host reads as
"this web server", and opening every port of it (the loopback's database, the case_api itself,
a metrics port) was the hole. `:*` opens every port on purpose (test and development receivers
listen on random ports). Entries are parsed at start-up; a bad one stops the service.
"""

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = frozenset({80, 443})
ANY_PORT = "*"
_NAME = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$")
_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UrlRefused(Exception):
    """The URL (or an address its host resolves to) is not allowed; the message says why."""


def _ipv4_number(part: str) -> int:
    """One part of an inet_aton-style address: 0x.. hex, 0.. octal, else decimal."""
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        if not set(part) <= set("01234567"):
            raise ValueError(part)
        return int(part, 8)
    return int(part)


def _numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a host ending in a number stands for (inet_aton / WHATWG rules), None for a
    name; ValueError when it ends in a number but is no address at all (`1.2.3.4.5`, `a.1`)."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]  # one trailing dot is still the same address to the resolver
    if not _NUMERIC_PART.match(parts[-1]):
        return None
    if len(parts) > 4 or not all(_NUMERIC_PART.match(p) for p in parts):
        raise ValueError(host)
    numbers = [_ipv4_number(p) for p in parts]
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        raise ValueError(host)
    value = last
    for i, n in enumerate(leading):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def canonical_host(host: str) -> tuple[str, IPAddress | None]:
    """(host, its address if literal) for a host as written, or UrlRefused when it is not
    written the one way that is checked: lower-case ASCII (IDNA), a canonical dotted quad."""
    if "%" in host:
        raise UrlRefused("percent-encoding and zone ids are not allowed in the host")
    if ":" in host:  # urlsplit gives an IPv6 literal without its brackets
        try:
            return host, ipaddress.IPv6Address(host)
        except ValueError:
            raise UrlRefused("not a valid IPv6 address") from None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower() if not host.isascii() else host.lower()
    except UnicodeError:
        raise UrlRefused("not a valid host name") from None
    try:
        numeric = _numeric_ipv4(ascii_host)
    except ValueError:
        raise UrlRefused(f"{host} ends in a number but is not an IPv4 address") from None
    if numeric is not None:
        if host != str(numeric):
            raise UrlRefused(f"{host} is a non-canonical form of the address {numeric}; write {numeric}")
        return host, numeric
    if ascii_host != host.lower():
        raise UrlRefused(f"{host} is written in another form than {ascii_host}; write {ascii_host}")
    if not _NAME.match(ascii_host.removesuffix(".")):
        raise UrlRefused("not a valid host name")
    return ascii_host, None


@dataclass(frozen=True)
class AllowEntry:
    """One allow-list entry: a name or a network, and a port (None: 80 and 443; "*": any)."""

    name: str | None
    network: IPNetwork | None
    port: int | str | None

    def admits(self, host: str, address: IPAddress | None, port: int) -> bool:
        if self.port is None:
            if port not in DEFAULT_PORTS:
                return False
        elif self.port != ANY_PORT and self.port != port:
            return False
        if self.name is not None:
            return self.name == host.lower().removesuffix(".")
        return address is not None and self.network is not None and _unmapped(address) in self.network


def _port(text: str, entry: str) -> int | str:
    if text == ANY_PORT:
        return ANY_PORT
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"allow-list entry {entry!r}: the port must be 1-65535 or *")
    return int(text)


def parse_allow_entry(entry: str) -> AllowEntry:
    """`host`, `host:port`, `host:*`, an address or CIDR (IPv6 in brackets when a port follows)."""
    text = entry.strip().lower()
    port: int | str | None = None
    if text.startswith("["):
        inside, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"allow-list entry {entry!r}: expected ]:port")
            port = _port(rest[1:], entry)
        text = inside
    elif text.count(":") == 1:
        text, port_text = text.split(":")
        port = _port(port_text, entry)
    if not text:
        raise ValueError(f"allow-list entry {entry!r} names no host")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        network = None
    if network is not None:
        if isinstance(network, ipaddress.IPv4Network) and str(network.network_address) != text.split("/")[0]:
            raise ValueError(f"allow-list entry {entry!r}: write the network address canonically")
        return AllowEntry(None, network, port)
    try:
        name, literal = canonical_host(text)
    except UrlRefused as exc:
        raise ValueError(f"allow-list entry {entry!r}: {exc}") from None
    if literal is not None:
        return AllowEntry(None, ipaddress.ip_network(literal), port)
    return AllowEntry(name.removesuffix("."), None, port)


def parse_allow_list(entries: list[str]) -> list[AllowEntry]:
    return [parse_allow_entry(e) for e in entries if e.strip()]


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries to a gateway: mapped, 6to4, NAT64."""
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _private(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and any(_private(v4) for v4 in _embedded_ipv4(address)):
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return False  # a mapped public IPv4 address (checked just above)
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


@lru_cache(maxsize=8)
def _parsed(allowed: tuple[str, ...]) -> list[AllowEntry]:
    # Once per distinct setting, not on every check of every delivery.
    return parse_allow_list(list(allowed))


def _allowed_by_setting(host: str, address: IPAddress | None, port: int, allowed: list[str]) -> bool:
    return any(entry.admits(host, address, port) for entry in _parsed(tuple(allowed)))


def check_address(host: str, address: IPAddress, allowed: list[str], port: int) -> None:
    if _private(address) and not _allowed_by_setting(host, address, port, allowed):
        raise UrlRefused(f"{host} port {port} resolves to {address}, a non-public address not allowed")


def parse(url: str) -> tuple[str, str, int]:
    """(scheme, canonical host, port) of an http(s) URL, or UrlRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("only http and https URLs with a host are allowed")
    if parts.username or parts.password:
        raise UrlRefused("credentials in the URL are not allowed")
    host, _literal = canonical_host(parts.hostname)
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url_syntax(url: str, allowed: list[str]) -> None:
    """At creation: literal IPs and well-known local names are checked without DNS."""
    _scheme, host, port = parse(url)
    address = _literal(host)
    if address is None:
        name = host.removesuffix(".")
        local = name in ("localhost", "localhost.localdomain") or name.endswith(".localhost")
        if local and not _allowed_by_setting(host, None, port, allowed):
            raise UrlRefused(f"{host} is a loopback name") from None
        return
    check_address(host, address, allowed, port)


async def resolve_checked(url: str, allowed: list[str]) -> tuple[str, str, int, IPAddress]:
    """At delivery: resolve the host and check every address; returns one to connect to, so
    the check and the connection use the same address (no DNS rebinding in between)."""
    scheme, host, port = parse(url)
    literal = _literal(host)
    if literal is not None:
        check_address(host, literal, allowed, port)
        return scheme, host, port, literal
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UrlRefused(f"{host} does not resolve: {exc.strerror or exc}") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise UrlRefused(f"{host} does not resolve")
    for address in addresses:
        check_address(host, address, allowed, port)
    return scheme, host, port, addresses[0]
