"""Lists of IPs and CIDR ranges, as settings hold them (`superuserIPs`, `rateLimits.excludedIPs`),
matched as PocketBase's `isIPInList` does: entries that are neither are ignored."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["Network", "in_networks", "ip_in_list", "networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    """The entries as networks (an address is a network of one), invalid ones left out."""
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return found


def in_networks(ip: str, nets: list[Network]) -> bool:
    """Whether `ip` is in one of `nets` (an invalid or empty `ip` is in none)."""
    if not nets:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in net for net in nets)


def ip_in_list(ip: str, entries: Iterable[str]) -> bool:
    """Whether `ip` is one of the addresses or in one of the ranges of `entries`."""
    return in_networks(ip, networks(entries))
