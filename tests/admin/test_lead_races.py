"""Two administrators changing one ward's leads at the same moment take turns, so the ward
keeps a lead who can sign in: the second change is checked against what the first left."""

from __future__ import annotations

import threading

from app.admin import services
from app.extensions import db
from app.models import ROLE_LEAD, ROLE_MEMBER, User, WardMembership
from tests.conftest import make_user


def second_lead_of_oak(world) -> WardMembership:
    user = make_user("sam.second@example.org", "Sam Second")
    membership = WardMembership(user_id=user.id, ward_id=world.oak.id, role=ROLE_LEAD)
    db.session.add(membership)
    db.session.commit()
    return membership


def in_another_request(app, work) -> tuple[threading.Thread, dict]:
    """Run `work()` as another request would: its own session, committed or refused."""
    outcome: dict = {}

    def run():
        with app.app_context():
            try:
                work()
                db.session.commit()
                outcome["done"] = True
            except services.Refused as refused:
                db.session.rollback()
                outcome["refused"] = str(refused)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_deactivating_a_wards_two_leads_at_once_keeps_one(app, world):
    second = second_lead_of_oak(world)
    second_id, admin_id = second.user_id, world.admin.id
    # The first administrator's request has deactivated Olivia and not yet committed.
    services.set_active(world.oak_lead, False, world.admin)
    db.session.flush()

    thread, outcome = in_another_request(
        app,
        lambda: services.set_active(
            db.session.get(User, second_id), False, db.session.get(User, admin_id)
        ),
    )
    thread.join(timeout=1.0)
    assert thread.is_alive(), "the second change must wait for the first"
    db.session.commit()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "only ward lead" in outcome.get("refused", "")
    db.session.expire_all()
    assert db.session.get(User, second_id).active is True
    assert db.session.get(User, world.oak_lead.id).active is False


def test_demoting_one_lead_while_the_other_is_deactivated_keeps_one(app, world):
    second = second_lead_of_oak(world)
    membership_id = second.id
    services.set_active(world.oak_lead, False, world.admin)
    db.session.flush()

    thread, outcome = in_another_request(
        app,
        lambda: services.change_role(db.session.get(WardMembership, membership_id), ROLE_MEMBER),
    )
    thread.join(timeout=1.0)
    assert thread.is_alive(), "the second change must wait for the first"
    db.session.commit()
    thread.join(timeout=30)
    assert "only ward lead" in outcome.get("refused", "")
    db.session.expire_all()
    assert db.session.get(WardMembership, membership_id).role == ROLE_LEAD
