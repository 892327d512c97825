"""Every route, for every role, with objects inside and outside the role's remit: nothing
outside a remit answers anything but 404, and nothing signed out gets past the sign-in page."""

from __future__ import annotations

from app.extensions import db
from app.models import User

from .conftest import ROLE_NAMES, tally
from .routes import has_rule, probes, reachable


def test_every_view_declares_who_may_use_it(app):
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not getattr(app.view_functions[rule.endpoint], "access_rule", None)
    ]
    assert undeclared == [], "add @allow(...) to these views"


def _signed_in_user(role: str, seeded) -> User | None:
    if role == "signed_out":
        return None
    db.session.expire_all()
    user = db.session.get(User, getattr(seeded.world, role).id)
    return user if user is not None and user.active else None


def _to_sign_in(response) -> bool:
    return response.status_code == 401 or (
        response.status_code == 302 and "/login" in response.headers.get("Location", "")
    )


def test_no_route_answers_outside_a_roles_remit(app, seeded, role_clients):
    found, unfilled = probes(app, seeded)
    assert unfilled == [], (
        "these routes have URL arguments the route walk cannot fill; add them to "
        "tests/security/routes.py so that they are probed"
    )
    # Only what must be refused is sent: inside a remit an empty form might remove someone
    # from a team, say, and pages and PDFs there are the feature tests' and fuzz tests' job.
    gets = [(role, p) for p in found if p.method == "GET" for role in ROLE_NAMES]
    posts = [(role, p) for p in found if p.method == "POST" for role in ROLE_NAMES]
    failures = []
    sent = 0
    for role, probe in gets + posts:
        client = role_clients[role]
        user = _signed_in_user(role, seeded)
        write = probe.method == "POST"
        inside = user is not None and all(
            reachable(user, t, write, probe.rule) for t in probe.targets
        )
        allowed = has_rule(user, probe.rule)
        if user is not None and allowed and inside:
            continue
        response = client.open(probe.url, method=probe.method)
        sent += 1
        status = response.status_code
        where = f"{probe.method} {probe.url} as {role}"
        if status >= 500:
            failures.append(f"{where}: {status}")
        elif probe.rule == "public":
            continue
        elif user is None:
            if not _to_sign_in(response):
                failures.append(f"{where}: {status}, expected the sign-in page")
        elif (not allowed or not inside) and status != 404:
            failures.append(f"{where}: {status}, expected 404")
    assert failures == []
    routes = {(p.endpoint, p.method) for p in found}
    tally("route_walk_routes", len({p.endpoint for p in found}))
    tally("route_walk_route_methods", len(routes))
    tally("route_walk_roles", len(ROLE_NAMES))
    tally("route_walk_requests", sent)


def test_signing_out_needs_a_post_and_ends_the_session(seeded, role_clients):
    client = role_clients["oak_lead"]
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    response = client.get(f"/wards/{seeded.world.oak.id}")
    assert _to_sign_in(response)
