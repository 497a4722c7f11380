"""The first meeting as an iCalendar invitation (RFC 5545), sent as an iTIP REQUEST (RFC 5546).

Pure: no database, no network. One UID for the life of a project's first meeting and a SEQUENCE raised
each time it moves, so that a calendar updates the event it already holds instead of adding another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar

MEETING_DURATION = timedelta(hours=1)  # the form asks for the start only
PRODID = "-//Cercle//Cercle first meeting//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


def meeting_invitation(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    summary: str,
    organizer: Person,
    attendees: list[Person],
    stamp: datetime,
    end: datetime | None = None,
    description: str = "",
) -> bytes:
    """A METHOD:REQUEST calendar with one event, its times in UTC (no time zone to describe)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", (end or start + MEETING_DURATION).astimezone(UTC))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organizer))
    for person in attendees:
        # RSVP=FALSE: the organizer is the hub's own address, whose mailbox Cercle reads; answers to it
        # ("Accepted: …", often not threaded) would arrive as new requests. Calendars still add the event.
        event.add(
            "attendee",
            _address(person, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="FALSE"),
        )
    calendar.add_component(event)
    return calendar.to_ical()


def _address(person: Person, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    name = " ".join(person.name.replace('"', "'").split())  # a parameter value cannot hold a quote
    if name:
        address.params["CN"] = name
    address.params.update(params)
    return address
