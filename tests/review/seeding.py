"""Many wards with a history of submitted assessments, written straight into the database
with bulk inserts (the query-count test and bench/bench_dashboard.py use it)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from app import frameworks
from app.extensions import db
from app.models import (
    DRAFT,
    SUBMITTED,
    Action,
    Assessment,
    AssessmentResult,
    CommissionerRemit,
    DomainResult,
    Provider,
    RestrictionFound,
    Ward,
)

WARDS_PER_PROVIDER = 20


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def seed_wards(
    commissioner,
    wards: int,
    assessments_per_ward: int = 5,
    *,
    actions_per_ward: int = 6,
    today: date | None = None,
    seed: int = 1,
    label: str = "Seeded",
) -> list[int]:
    """Add `wards` wards (in providers of 20, all in the commissioner's remit), each with
    submitted assessments six months apart, their results, restrictions and actions, and a
    draft for every fifth ward. Returns the new ward ids."""
    rng = random.Random(seed)
    fw = frameworks.latest()
    today = today or date.today()
    now = datetime.combine(today, datetime.min.time()) + timedelta(hours=12)
    items = list(fw.items)

    provider_count = -(-wards // WARDS_PER_PROVIDER)
    first_provider = _next_id(Provider)
    db.session.execute(
        insert(Provider),
        [
            {"id": first_provider + p, "name": f"{label} Trust {p + 1:04d}"}
            for p in range(provider_count)
        ],
    )
    db.session.execute(
        insert(CommissionerRemit),
        [
            {"user_id": commissioner.id, "provider_id": first_provider + p}
            for p in range(provider_count)
        ],
    )
    first_ward = _next_id(Ward)
    ward_ids = [first_ward + w for w in range(wards)]
    db.session.execute(
        insert(Ward),
        [
            {
                "id": ward_id,
                "provider_id": first_provider + w // WARDS_PER_PROVIDER,
                "name": f"{label} Ward {w + 1:04d}",
            }
            for w, ward_id in enumerate(ward_ids)
        ],
    )

    assessments, results, domains, found, actions = [], [], [], [], []
    next_assessment = _next_id(Assessment)
    for ward_id in ward_ids:
        for k in range(assessments_per_ward):
            assessment_id = next_assessment
            next_assessment += 1
            submitted = now - timedelta(
                days=182 * (assessments_per_ward - 1 - k) + rng.randint(0, 20)
            )
            assessments.append(
                {
                    "id": assessment_id,
                    "ward_id": ward_id,
                    "framework_id": fw.id,
                    "framework_version": fw.version,
                    "status": SUBMITTED,
                    "created_at": submitted - timedelta(days=14),
                    "updated_at": submitted,
                    "submitted_at": submitted,
                }
            )
            blanket = rng.sample(items, rng.randint(0, 12))
            unjustified = 0
            for item in blanket:
                justified = rng.random() < 0.4
                unjustified += not justified
                found.append(
                    {
                        "assessment_id": assessment_id,
                        "ward_id": ward_id,
                        "item_id": item.id,
                        "domain_id": fw.domain_of(item.id).id,
                        "title": item.title,
                        "justified": justified,
                    }
                )
            overall = round(rng.uniform(0, 70), 1)
            results.append(
                {
                    "assessment_id": assessment_id,
                    "ward_id": ward_id,
                    "overall_percent": overall,
                    "overall_rag": fw.scoring.rag_for(overall).rating,
                    "blanket_count": len(blanket),
                    "unjustified_count": unjustified,
                    "computed_at": submitted,
                }
            )
            for position, domain in enumerate(fw.domains):
                percent = round(rng.uniform(0, 90), 1)
                domains.append(
                    {
                        "assessment_id": assessment_id,
                        "domain_id": domain.id,
                        "title": domain.title,
                        "position": position,
                        "percent": percent,
                        "rag": fw.scoring.rag_for(percent).rating,
                    }
                )
        latest = next_assessment - 1
        for n in range(actions_per_ward):
            actions.append(
                {
                    "ward_id": ward_id,
                    "assessment_id": latest,
                    "origin_assessment_id": latest,
                    "text": f"Seeded action {n + 1}",
                    "priority": rng.choice(["high", "medium", "low"]),
                    "due_date": today + timedelta(days=rng.randint(-120, 120)),
                    "status": rng.choice(["not-started", "in-progress", "done", "not-doing"]),
                }
            )
        if ward_id % 5 == 0:
            assessments.append(
                {
                    "id": next_assessment,
                    "ward_id": ward_id,
                    "framework_id": fw.id,
                    "framework_version": fw.version,
                    "status": DRAFT,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            next_assessment += 1

    for model, rows in (
        (Assessment, assessments),
        (AssessmentResult, results),
        (DomainResult, domains),
        (RestrictionFound, found),
        (Action, actions),
    ):
        if rows:
            db.session.execute(insert(model), rows)
    db.session.commit()
    return ward_ids
