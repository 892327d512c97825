"""The per-address sign-in limit counts an IPv6 client by its /64 network, which it can pick
new addresses from at will, and an IPv4 address written as IPv6 as that IPv4 address."""

from __future__ import annotations

import pytest

from app import security
from app.auth import views as auth_views
from tests.conftest import PASSWORD

WRONG = "not-the-password-at-all"


def _sign_in(client, email, password, address):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.mark.parametrize(
    "address, key",
    [
        ("192.0.2.7", "ip:192.0.2.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:1", "ip:2001:db8:1:2::/64"),
        ("2001:DB8:1:2::ffff", "ip:2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "ip:2001:db8:1:3::/64"),
        ("::ffff:192.0.2.7", "ip:192.0.2.7"),
        ("fe80::1%eth0", "ip:fe80::/64"),
        (None, "ip:unknown"),
    ],
)
def test_the_address_counter(address, key):
    keys = security.sign_in_keys("Someone@Example.org ", address)
    assert keys == {
        "account:someone@example.org": security.MAX_PER_ACCOUNT,
        key: security.MAX_PER_ADDRESS,
    }


def test_new_addresses_in_one_ipv6_64_share_one_limit(client, world):
    for n in range(security.MAX_PER_ADDRESS):
        _sign_in(client, f"guess{n}@example.org", WRONG, f"2001:db8:7:7::{n + 1:x}")
    # Another address in the same /64, and the right password: still locked.
    refused = _sign_in(client, world.oak_lead.email, PASSWORD, "2001:db8:7:7:1234:5678:9abc:def0")
    assert refused.status_code == 400
    assert auth_views.LOCKED_MESSAGE in refused.get_data(as_text=True)
    # The next /64 over is someone else.
    assert _sign_in(client, world.oak_lead.email, PASSWORD, "2001:db8:7:8::1").status_code == 302


def test_an_ipv4_address_written_as_ipv6_shares_the_ipv4_limit(client, world):
    for n in range(security.MAX_PER_ADDRESS):
        _sign_in(client, f"guess{n}@example.org", WRONG, "198.51.100.9")
    refused = _sign_in(client, world.oak_lead.email, PASSWORD, "::ffff:198.51.100.9")
    assert auth_views.LOCKED_MESSAGE in refused.get_data(as_text=True)
