"""A separate process that saves answers as fast as it can, for the crash and backup tests.

    python -m tests.db.sqlite_writer ASSESSMENT_ID USER_ID ITEMS

Uses the app's own save path (services.save_item) on the database in DATABASE_URL. Every save
of an item writes version N with evidence and comment that spell out N, so a reader can tell
a whole row from a half-written one. Prints "saved" after each commit.
"""

from __future__ import annotations

import sys

from app import create_app, frameworks
from app.assessments import services
from app.extensions import db
from app.models import Answer, Assessment, User

STATUSES = ("not-in-place", "individual")


def expected(version: int) -> dict:
    """What a save that wrote `version` puts in the row (long text: several database pages)."""
    return {
        "values": {"in-place": STATUSES[version % 2]},
        "evidence": f"evidence for version {version}. " * 400,
        "comment": f"comment for version {version}",
    }


def main(assessment_id: int, user_id: int, item_count: int) -> None:
    app = create_app()
    with app.app_context():
        items = [item.id for item in frameworks.latest().items[:item_count]]
        while True:
            for item_id in items:
                assessment = db.session.get(Assessment, assessment_id)
                user = db.session.get(User, user_id)
                current = db.session.scalar(
                    db.select(Answer.version).where(
                        Answer.assessment_id == assessment_id, Answer.item_id == item_id
                    )
                )
                version = current or 0
                row = expected(version + 1)
                services.save_item(
                    assessment,
                    item_id,
                    services.ItemInput(
                        values=row["values"],
                        evidence=row["evidence"],
                        comment=row["comment"],
                        based_on_version=version,
                    ),
                    user,
                )
                db.session.remove()
                print("saved", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
