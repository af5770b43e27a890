"""Lab mode: the addresses at which phones on the lab network reach this PC, and QR codes for them.

Standard library for the addresses (works on Linux and Windows without extra tools); segno, a
pure-Python package, draws the QR codes, so nothing is fetched from outside.
"""
import ipaddress
import socket

import segno

# connect() on a UDP socket sends nothing; it only asks the OS which local address would be
# used to reach the target, which finds the lab-network address even with no internet route.
_PROBES = ("10.255.255.255", "172.31.255.255", "192.168.255.255", "192.0.2.1")


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def lan_addresses() -> list[str]:
    """Every non-loopback IPv4 address of this machine, the one with the default route first."""
    found: list[str] = []
    for target in _PROBES:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect((target, 9))
                found.append(probe.getsockname()[0])
            except OSError:
                continue
    for name in {socket.gethostname(), socket.getfqdn()}:
        try:
            found += [info[4][0] for info in socket.getaddrinfo(name, None, socket.AF_INET)]
        except OSError:
            continue
    return [a for a in dict.fromkeys(found) if _usable(a)]


def lan_urls(port: int) -> list[str]:
    return [f"http://{address}:{port}/" for address in lan_addresses()]


def terminal_qr(url: str) -> str:
    """The QR code as text for a terminal (two rows per line of half blocks)."""
    import io

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def svg_qr(url: str, title: str) -> str:
    """An inline SVG QR code (no external image, no script), safe to embed in a page."""
    # omitsize: only a viewBox, so the code shrinks with a narrow phone screen.
    return segno.make(url, error="m").svg_inline(scale=6, border=2, title=title, svgclass="qr",
                                                  lineclass=None, omitsize=True)


def site_address(config: dict, host_url: str) -> str | None:
    """The address a phone should open: the lab address from `run.py --lan`, or the address this
    page was reached at when that is not the PC itself; None when the site listens only locally."""
    if config.get("LAN_URLS"):
        return config["LAN_URLS"][0]
    from urllib.parse import urlsplit

    hostname = urlsplit(host_url).hostname or ""
    if hostname == "localhost" or (_is_ip(hostname) and not _usable(hostname)):
        return None
    return host_url


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
