"""The request class: what users send, before any view reads it.

NUL characters are dropped from form fields and query values. Nobody types one, PostgreSQL
cannot store one in a text column (SQLite can), and a query parameter holding one is an error
there too; dropping them keeps one character out, instead of failing the whole save.
"""

from __future__ import annotations

from urllib.parse import urlsplit

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

    @cached_property
    def from_this_site(self) -> bool:
        """Whether the browser says this request came from one of our own pages: its Origin
        header, or failing that its Referer, names this host. Work typed before a session or
        a security token ran out is only carried over (and re-signed with a fresh token) when
        it did, so another site cannot have its own form sent in a user's name. No header at
        all counts as not ours: the work is then lost, never someone else's sent."""
        source = self.headers.get("Origin")
        if not source or source == "null":
            source = self.headers.get("Referer", "")
        return bool(source) and urlsplit(source).netloc == self.host
