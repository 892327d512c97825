"""The dashboard's filter form: sent by GET, so it has no security token."""

from __future__ import annotations

from datetime import date

from wtforms import BooleanField, StringField

from ..auth.forms import AppForm
from ..dates import parse_date, wrong_parts
from .queries import Filters

RATINGS = [
    ("", "Any rating"),
    ("red", "Red"),
    ("amber", "Amber"),
    ("green", "Green"),
    ("none", "Not assessed"),
]


class FilterForm(AppForm):
    class Meta:
        csrf = False

    # Plain fields: the options are listed here, and a value not among them is ignored.
    provider = StringField("Provider")
    rating = StringField("Overall rating")
    overdue = BooleanField("Only wards with overdue actions")
    before_day = StringField("Day")
    before_month = StringField("Month")
    before_year = StringField("Year")

    def __init__(self, formdata, providers):
        super().__init__(formdata=formdata)
        self.provider.choices = [("", "All providers")] + [(str(p.id), p.name) for p in providers]
        self.rating.choices = RATINGS
        # The date input's error links to its first box.
        self.before_day.error_anchor = "before_day"
        self.assessed_before: date | None = None

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        parts = [
            (f.data or "").strip() for f in (self.before_day, self.before_month, self.before_year)
        ]
        if not any(parts):
            return ok
        parsed, message = parse_date(*parts, "Date last assessed before", example="31 3 2026")
        if message:
            # The message is on the day's field; the summary links to the first box to correct.
            self.before_day.errors = [message]
            self.before_day.error_anchor = f"before_{wrong_parts(*parts)[0]}"
            return False
        self.assessed_before = parsed
        return ok

    def select_items(self, field) -> list[dict]:
        """A select's options for the NHS macro, keeping what was chosen."""
        chosen = field.data or ""
        return [{"value": v, "text": t, "selected": v == chosen} for v, t in field.choices]

    def filters(self) -> Filters:
        """What was asked for; a part that did not make sense is left out."""
        valid_providers = {value for value, _ in self.provider.choices if value}
        valid_ratings = {value for value, _ in RATINGS if value}
        return Filters(
            provider_id=int(self.provider.data) if self.provider.data in valid_providers else None,
            rag=self.rating.data if self.rating.data in valid_ratings else None,
            overdue_only=bool(self.overdue.data),
            assessed_before=self.assessed_before,
        )
