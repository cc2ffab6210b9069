#!/usr/bin/env python3
"""Independent check of the backend's calendar files: expands every VEVENT of an .ics file the way
RFC 5545 says, with other people's code (icalendar parses, dateutil.rrule repeats, zoneinfo reads
TZID), and prints each instance in a window as a UTC RFC 3339 line, earliest first.

    python3 ics_check.py FILE --from 2026-01-01T00:00:00Z --until 2027-01-01T00:00:00Z
        [--mode rfc|shift] [--uid] [--zones-only] [--zone TZID ...]

--mode rfc (default) drops an instance whose wall time the clock skips (and does not count it for
COUNT), as RFC 5545 section 3.3.10 requires; --mode shift reads it with the offset before the gap
and counts it, as some calendar apps do. The backend's files must give the same doses either way.
--uid adds a tab and the VEVENT's UID to each line. --zones-only prints nothing and only checks
the VTIMEZONEs (below); --zone limits that check to the zones named.

Each VTIMEZONE is also expanded by icalendar into its changes and compared with the system's zone
of the same name through the window (every 6 hours, and every 10 minutes around each change); a
difference is reported on stderr and the exit status is 1.
"""

import argparse
import bisect
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from dateutil import rrule

UTC = timezone.utc


def parse_instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def rfc3339(instant):
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_wall(naive, zone):
    """The instant of a wall time in zone, and whether the clock shows that wall time at all.
    fold=0 gives the first of a repeated time and, for a skipped one, the offset before the gap
    (RFC 5545 section 3.3.5)."""
    instant = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    exists = instant.astimezone(zone).replace(tzinfo=None) == naive
    return instant, exists


def values(component, name):
    """The datetimes of a (possibly repeated, possibly multi-valued) property, with its TZID."""
    prop = component.get(name)
    if prop is None:
        return []
    props = prop if isinstance(prop, list) else [prop]
    out = []
    for p in props:
        tzid = p.params.get("TZID")
        items = [d.dt for d in p.dts] if hasattr(p, "dts") else [p.dt]
        out.extend((dt, tzid) for dt in items)
    return out


def to_instant(dt, tzid):
    if tzid:
        return read_wall(dt.replace(tzinfo=None), ZoneInfo(tzid))[0]
    if dt.tzinfo is None:
        raise SystemExit(f"floating time {dt} is not expected in these files")
    return dt.astimezone(UTC)


def expand(event, start, until, mode):
    """The instances of one VEVENT in [start, until), as UTC datetimes."""
    (dtstart, tzid), = values(event, "DTSTART")
    excluded = {to_instant(dt, t) for dt, t in values(event, "EXDATE")}
    found = set()
    for dt, t in values(event, "RDATE"):
        instant = to_instant(dt, t)
        if start <= instant < until and instant not in excluded:
            found.add(instant)

    if "RRULE" not in event:
        instant = to_instant(dtstart, tzid)
        if start <= instant < until and instant not in excluded:
            found.add(instant)
        return found

    if not tzid:
        raise SystemExit("a repeating VEVENT without TZID is not expected in these files")
    zone = ZoneInfo(tzid)
    naive_start = dtstart.replace(tzinfo=None)
    # UNTIL (UTC) and COUNT are applied here, so that skipped wall times are handled per mode.
    parts = event["RRULE"].to_ical().decode().split(";")
    limit_until = None
    limit_count = None
    kept = []
    for part in parts:
        key, _, value = part.partition("=")
        if key == "UNTIL":
            limit_until = parse_instant(
                datetime.strptime(value, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")
            )
        elif key == "COUNT":
            limit_count = int(value)
        else:
            kept.append(part)
    rule = rrule.rrulestr(";".join(kept), dtstart=naive_start)
    last_wall = until.astimezone(zone).replace(tzinfo=None) + timedelta(days=2)
    counted = 0
    for naive in rule:
        if naive > last_wall:
            break
        instant, exists = read_wall(naive, zone)
        if mode == "rfc" and not exists:
            continue
        if limit_until is not None and instant > limit_until:
            break
        if limit_count is not None and counted >= limit_count:
            break
        counted += 1
        if start <= instant < until and instant not in excluded:
            found.add(instant)
    return found


def check_zones(calendar, start, until, only):
    """Differences between each VTIMEZONE and the system's zone of the same name. icalendar
    expands the VTIMEZONE's STANDARD and DAYLIGHT components (RRULEs with dateutil.rrule, and
    RDATEs) into UTC transitions with their offsets (`Timezone.get_transitions`); the offset they
    give is compared with the system's every 6 hours through the window, from the VTIMEZONE's
    first onset on (it need not describe earlier years), and every 10 minutes around each of the
    system zone's changes. (Not `to_tz`: dateutil's tzinfo from a VTIMEZONE misreads the repeated
    hour after some changes, such as those with a negative or half-hour saving.)"""
    problems = []
    step, fine = timedelta(hours=6), timedelta(minutes=10)
    for vtz in calendar.walk("VTIMEZONE"):
        tzid = str(vtz["TZID"])
        if only and tzid not in only:
            continue
        system = ZoneInfo(tzid)
        times, info = vtz.get_transitions()
        changes = [t.replace(tzinfo=UTC) for t in times]
        offsets = [i[0] for i in info]

        def own(t):
            i = bisect.bisect_right(changes, t) - 1
            return offsets[max(i, 0)]

        def compare(t):
            a, b = own(t), t.astimezone(system).utcoffset()
            if a != b:
                problems.append(f"{tzid} at {rfc3339(t)}: VTIMEZONE says {a}, the system {b}")

        t = max(start, changes[0] + timedelta(days=1)) if changes else until
        while t < until and len(problems) <= 20:
            compare(t)
            if (t + step).astimezone(system).utcoffset() != t.astimezone(system).utcoffset():
                u = t + fine
                while u < t + step:
                    compare(u)
                    u += fine
            t += step
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--from", dest="start", required=True)
    parser.add_argument("--until", required=True)
    parser.add_argument("--mode", choices=["rfc", "shift"], default="rfc")
    parser.add_argument("--uid", action="store_true")
    parser.add_argument("--zones-only", action="store_true")
    parser.add_argument("--zone", action="append", default=[])
    args = parser.parse_args()
    start, until = parse_instant(args.start), parse_instant(args.until)

    with open(args.file, "rb") as f:
        raw = f.read()
    calendar = icalendar.Calendar.from_ical(raw)

    lines = []
    events = [] if args.zones_only else calendar.walk("VEVENT")
    for event in events:
        uid = str(event["UID"])
        for instant in expand(event, start, until, args.mode):
            lines.append((instant, uid))
    lines.sort()
    for instant, uid in lines:
        print(f"{rfc3339(instant)}\t{uid}" if args.uid else rfc3339(instant))

    problems = check_zones(calendar, start, until, set(args.zone))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
