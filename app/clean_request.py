"""The request class: what users send, before any view reads it.

NUL characters are dropped from form fields and query values. Nobody types one, PostgreSQL
cannot store one in a text column (SQLite can), and a query parameter holding one is an error
there too; dropping them keeps one character out, instead of failing the whole save.
"""

from __future__ import annotations

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property


def _without_nul(values: ImmutableMultiDict) -> ImmutableMultiDict:
    if not any("\x00" in k or "\x00" in v for k, v in values.items(multi=True)):
        return values
    return type(values)(
        (k.replace("\x00", ""), v.replace("\x00", "")) for k, v in values.items(multi=True)
    )


class CleanRequest(Request):
    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return _without_nul(super().args)
