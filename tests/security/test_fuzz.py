"""Hostile input to every POST route (hypothesis): no 500, no stored script that runs on any
page, no change to anything outside the user's remit, and every change audited."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import ROLE_LEAD, Action, Assessment, User, WardMembership
from tests.conftest import login

from .conftest import tally
from .routes import has_rule, probes, reachable

MARK = "xss-9f3"
SCRIPT = f"<script>alert('{MARK}')</script>"
IMG = f'"><img src=x onerror=alert("{MARK}")>'
EXAMPLES = 20
# Tables that change as a side effect of any request, or are written with an audited change.
NOT_STATE = {"audit_event", "sign_in_failure", "rendered_document"}
DERIVED = {"assessment_result", "domain_result", "restriction_found"}
COMMON_FIELDS = [
    "csrf_token", "id", "name", "email", "password", "confirm", "reason", "text", "notes",
    "status", "priority", "owner", "due_date", "role", "ward_id", "user_id", "assessment_id",
    "action_id", "provider_id", "version", "action", "evidence", "comment",
]  # fmt: skip


def _hostile_values(seeded) -> st.SearchStrategy[str]:
    w = seeded.world
    other_ids = [str(w.willow.id), str(w.willow_lead.id), str(w.admin.id), str(w.southbay.id)]
    other_ids += [str(a.id) for k, a in seeded.assessments.items() if not k.startswith("oak")]
    other_ids += [str(seeded.actions["willow"].id)]
    fixed = [SCRIPT, IMG, "\x00", "a\x00b", "x" * 20_000, "\u202e\u200b", "\r\n\t\x07\x1b[2J",
             "' OR 1=1 --", "-1", "0", "99999999999999999999999", "1e309", "NaN", "", " ",
             "../../etc/passwd", "{{ 7*7 }}", "%s%n", "🙂" * 50, "2026-02-30", "true"]  # fmt: skip
    return st.one_of(
        st.sampled_from(fixed + other_ids),
        st.text(max_size=300),
        st.integers().map(str),
    )


def _form(names, values):
    pairs = st.lists(st.tuples(st.sampled_from(names), values), max_size=12)
    return pairs.map(MultiDict)


def _field_names(client, url) -> list[str]:
    page = client.get(url).get_data(as_text=True)
    return sorted(set(re.findall(r'name="([^"]+)"', page)) | set(COMMON_FIELDS))


class Remit:
    """Which rows belong to a user's remit (an administrator's is everything), read once."""

    def __init__(self, user):
        self.admin = user.is_admin
        self.me = user.id
        memberships = db.session.execute(
            db.select(WardMembership.user_id, WardMembership.ward_id, WardMembership.role)
        ).all()
        self.wards = {w for u, w, _ in memberships if u == user.id}
        led = {w for u, w, r in memberships if u == user.id and r == ROLE_LEAD}
        self.team = {u for u, w, _ in memberships if w in led} | {user.id}
        self.assessment_ward = dict(
            db.session.execute(db.select(Assessment.id, Assessment.ward_id)).all()
        )
        self.action_ward = dict(db.session.execute(db.select(Action.id, Action.ward_id)).all())

    def inside(self, table: str, row: dict) -> bool:
        if self.admin:
            return True
        if table == "ward":
            return row["id"] in self.wards
        if table == "user":
            return row["id"] in self.team
        if "ward_id" in row:
            return row["ward_id"] in self.wards
        if "assessment_id" in row:
            return self.assessment_ward.get(row["assessment_id"]) in self.wards
        if "action_id" in row:
            return self.action_ward.get(row["action_id"]) in self.wards
        if "user_id" in row:
            return row["user_id"] in self.team
        return False


def _rows(user) -> dict[str, dict[tuple, bool]]:
    db.session.expire_all()
    remit = Remit(user)
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name in NOT_STATE:
            continue
        rows = db.session.execute(table.select()).mappings().all()
        out[table.name] = {
            tuple(map(repr, r.values())): remit.inside(table.name, dict(r)) for r in rows
        }
    return out


def _differences(before, after):
    outside, inside = [], []
    for name in before:
        for row in before[name].keys() ^ after[name].keys():
            (inside if before[name].get(row, after[name].get(row)) else outside).append(name)
    return outside, inside


def _audit_count() -> int:
    return db.session.execute(db.text("SELECT count(*) FROM audit_event")).scalar()


def _fuzz_route(client, user_id, endpoint, url, forms, sent):
    last = [None]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(form=forms)
    def post(form):
        user = db.session.get(User, user_id)
        # One example's state after is the next one's before: nothing else writes in between.
        before, audits = last[0] or _rows(user), _audit_count()
        last[0] = None  # read afresh if this example fails part way
        response = client.post(url, data=form)
        sent[0] += 1
        assert response.status_code < 500, f"{endpoint}: {response.status_code}"
        after = _rows(user)
        outside, inside = _differences(before, after)
        last[0] = after
        assert outside == [], f"{endpoint} changed rows outside the remit: {outside}"
        if set(inside) - DERIVED - {"user"}:
            assert _audit_count() > audits, f"{endpoint} changed {inside} without an audit"

    post()


def test_hostile_posts_to_every_route(app, seeded, role_clients):
    w = seeded.world
    values = _hostile_values(seeded)
    found, unfilled = probes(app, seeded)
    assert unfilled == []
    posts = {}
    for p in found:
        if p.method != "POST" or p.endpoint in posts:
            continue
        role = "admin" if p.rule == "admin" else "oak_lead"
        user = db.session.get(User, getattr(w, role).id)
        if has_rule(user, p.rule) and all(reachable(user, t, True, p.rule) for t in p.targets):
            posts[p.endpoint] = (role, p)
    assert posts, "no POST routes found"
    failures, sent = [], [0]
    for endpoint, (role, probe) in sorted(posts.items()):
        client = role_clients[role]
        names = _field_names(client, probe.url)
        try:
            _fuzz_route(
                client, getattr(w, role).id, endpoint, probe.url, _form(names, values), sent
            )
        except AssertionError as error:
            failures.append(str(error)[:500])
        # Sign back in if a write (a reset or a role change, say) ended the session.
        if client.get("/audit").status_code == 302:
            login(client, db.session.get(User, getattr(w, role).id))
    assert failures == []
    tally("fuzz_post_routes", len(posts))
    tally("fuzz_requests", sent[0])
    _no_script_runs_anywhere(app, seeded, role_clients)


def _no_script_runs_anywhere(app, seeded, role_clients):
    """Every page any role can reach shows the stored hostile text only escaped."""
    found, _ = probes(app, seeded, methods=("GET",))
    pages = 0
    for role in ("oak_lead", "admin", "commissioner"):
        client = role_clients[role]
        user = db.session.get(User, getattr(seeded.world, role).id)
        for probe in found:
            if probe.url.endswith(".pdf") or not (
                has_rule(user, probe.rule)
                and all(reachable(user, t, False, probe.rule) for t in probe.targets)
            ):
                continue  # PDFs are drawn from the same escaped templates; 404s show nothing
            response = client.get(probe.url)
            if not response.mimetype.startswith("text/html"):
                continue
            page = response.get_data(as_text=True)
            pages += 1
            assert "<script>alert(" not in page, f"{probe.url} as {role}"
            assert "<img src=x onerror" not in page, f"{probe.url} as {role}"
    tally("fuzz_pages_checked_for_script", pages)
