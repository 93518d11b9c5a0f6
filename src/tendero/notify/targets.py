"""Where a tenant's messages may go. A tenant admin names a webhook URL or a mail server; unchecked, that lets
them make this server call its own private services (server-side request forgery). Public addresses are always
fine; this machine and the private network only when the installation allows it; link-local (cloud metadata),
multicast and unspecified addresses never. A name is checked again, resolved, each time a message is sent."""

from __future__ import annotations

import ipaddress
import socket

LOCAL_NAMES = ("localhost", "localhost.localdomain")
SETTING = "TENDERO_NOTIFY_PRIVATE_TARGETS"


class TargetRefused(ValueError):
    """An address tendero will not send to; the message says why and which setting would allow it."""


def check_host(host: str, *, allow_private: bool, resolve: bool) -> None:
    """Raise TargetRefused for a host tendero must not reach; a name that does not resolve is left to the send."""
    name = host.strip().strip("[]").rstrip(".").lower()
    try:
        addresses = [ipaddress.ip_address(name)]
    except ValueError:
        if name in LOCAL_NAMES or name.endswith(".localhost"):
            addresses = [ipaddress.ip_address("127.0.0.1")]
        elif not resolve:
            return
        else:
            try:
                infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
            except (OSError, UnicodeError):
                return
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None)
        address = mapped or address
        if address.is_link_local or address.is_multicast or address.is_unspecified:
            raise TargetRefused(f"{host} is {address}, a link-local or reserved address: never a message target")
        if not address.is_global and not allow_private:
            raise TargetRefused(
                f"{host} is {address}, on this machine or a private network: this installation does not send "
                f"there ({SETTING}=true allows it)"
            )
