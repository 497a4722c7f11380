"""`cercle export …` to standard output, streamed (docs/exports.md):

- `ties [--at YYYY-MM-DD]` and `contacts [--format csv|vcard]`: the network;
- `requests [--format csv|json] [--state …] [--channel …] [--since YYYY-MM-DD]`;
- `projects [--format csv|json] [--state …] [--outcome …]`;
- `meetings`: the first meetings as one iCalendar file.

It runs on the server as an operator: it sees every request and project. No byte order mark: the output
is read by programs (a download from the screens has one, for spreadsheet apps)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from typing import Any, get_args

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from cercle.api import exports
from cercle.network.exports import contacts_csv, contacts_vcard, ties_csv
from cercle.network.models import Contact

FORMATS = {
    "ties": ("csv",),
    "contacts": ("csv", "vcard"),
    "requests": ("csv", "json"),
    "projects": ("csv", "json"),
    "meetings": ("ics",),
}


def _choices(model: type[BaseModel], field: str) -> list[str]:
    """The values a filter of the API accepts (a `Literal[…] | None`), for `--help` and checking."""
    annotation = model.model_fields[field].annotation
    return [value for arg in get_args(annotation) for value in get_args(arg)]


def _day(value: str, option: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(f"{option} wants a date as YYYY-MM-DD, not {value!r}") from None
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
    help = (
        "Write to standard output: the leader's ties (email,name,score,layer, strongest first; --at: as "
        "they were on that date, counting only earlier exchanges), the network's contacts (CSV or vCard), "
        "the requests or the projects (CSV or JSON, filtered), or the first meetings (iCalendar)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=list(FORMATS))
        parser.add_argument("--at", help="ties: YYYY-MM-DD, the ties as they were at the start of that day")
        parser.add_argument(
            "--format",
            choices=sorted({f for formats in FORMATS.values() for f in formats}),
            help="ties: csv; contacts: csv (default) or vcard; requests, projects: csv (default) or json; "
            "meetings: ics",
        )
        parser.add_argument(
            "--state",
            help="requests: one of "
            + ", ".join(_choices(exports.RequestExportFilters, "state"))
            + "; projects: one of "
            + ", ".join(_choices(exports.ProjectExportFilters, "state")),
        )
        parser.add_argument(
            "--channel",
            choices=_choices(exports.RequestExportFilters, "channel"),
            help="requests: the channel they came by",
        )
        parser.add_argument("--since", help="requests: YYYY-MM-DD, received that day or later")
        parser.add_argument(
            "--outcome",
            choices=_choices(exports.ProjectExportFilters, "outcome"),
            help="projects: closed with this outcome",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        fmt = options["format"] or FORMATS[what][0]
        if fmt not in FORMATS[what] and not (what == "ties" and fmt == "vcard"):  # as it always was: ignored
            raise CommandError(f"{what} is exported as {' or '.join(FORMATS[what])}, not {fmt}")
        for option, allowed in (
            ("state", ("requests", "projects")),
            ("channel", ("requests",)),
            ("since", ("requests",)),
            ("outcome", ("projects",)),
        ):
            if options[option] and what not in allowed:
                raise CommandError(f"--{option} applies to {' and '.join(allowed)} only")
        for line in self._lines(what, fmt, options):
            self.stdout.write(line, ending="")

    def _lines(self, what: str, fmt: str, options: dict[str, Any]) -> Iterator[str]:
        if what == "ties":
            at = _day(options["at"], "--at") if options["at"] else timezone.now()
            return ties_csv(at=at, layer_sizes=settings.CERCLE["NETWORK"]["LAYERS"])
        if what == "contacts":
            contacts = Contact.objects.filter(in_network=True, merged_into__isnull=True).order_by(
                "-rank_key", "pk"
            )
            rows = contacts.iterator(chunk_size=2000)
            return contacts_vcard(rows) if fmt == "vcard" else contacts_csv(rows)
        if what == "meetings":
            return exports.meetings_ics(exports.meetings_for_export(exports.operator()))
        try:
            if what == "requests":
                since = _day(options["since"], "--since") if options["since"] else None
                filters = exports.RequestExportFilters.model_validate(
                    {
                        "format": fmt,
                        "state": options["state"],
                        "channel": options["channel"],
                        "received_after": since,
                    }
                )
                return exports.requests_export(exports.operator(), filters)
            return exports.projects_export(
                exports.operator(),
                exports.ProjectExportFilters.model_validate(
                    {"format": fmt, "state": options["state"], "outcome": options["outcome"]}
                ),
            )
        except ValidationError as error:
            wrong = ", ".join(f"--{e['loc'][0]}" for e in error.errors() if e["loc"])
            raise CommandError(f"Invalid value for {wrong} (see --help)") from None
