"""The path converter `<token:...>` for the tokens of links we send (a waitlist offer, an
invite, a one-time manage link): all are URL-safe base64. Anything else (a NUL byte, spaces, a
dot) is "not found" at the URL, before a view or the database sees it: a NUL in a text
parameter is a PostgreSQL error, and it was a 500. Importing this module registers it (once),
for both the pages' and the API's URLconfs."""

from __future__ import annotations

from django.urls import register_converter


class LinkToken:
    regex = "[A-Za-z0-9_-]{8,200}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LinkToken, "token")
