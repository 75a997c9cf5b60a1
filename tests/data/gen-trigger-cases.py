#!/usr/bin/python3
"""Writes trigger-cases.txt: reference fire times for tests/unit/test_trigger_cases.c.

Run with Debian's /usr/bin/python3 (python3-apscheduler 3.9.1, python3-croniter,
python3-tz installed):

    /usr/bin/python3 tests/data/gen-trigger-cases.py > tests/data/trigger-cases.txt

Line format (tab separated, '#' starts a comment line):

    TYPE  FIELDS  FROM  EXPECTED

FIELDS are NAME=VALUE joined by ';' ('-' for none).  FROM is an ISO 8601
instant.  EXPECTED are the first fire times joined by ',' ('-' for none),
ISO 8601 in the trigger's zone, as the C code must print them: the first is
trigger_next(t, TRIGGER_NONE, FROM), each next one trigger_next(t, prev, prev).

Where the references come from:

- interval and date: APScheduler's IntervalTrigger and DateTrigger directly.
- cron: APScheduler's CronTrigger decides which wall times match.  It runs in
  UTC on wall times, and the wall times are mapped to instants here with
  zoneinfo (see next_fire): a wall time in a DST gap fires once, at the end
  of the gap, unless no clock in the zone shows its calendar day at all
  (Pacific/Apia 2011-12-30), when it is skipped.  A repeated wall time fires
  at its first occurrence only, except for a "wildcard" trigger, whose
  minute or hour field begins with '*' (Vixie cron's MIN_STAR/HR_STAR): it
  fires at every instant the clocks show a matching wall time, so it runs
  through a repeated hour again, as Vixie cron does and as APScheduler's
  test_dst_change ("interval_autumn": minute='*/30' from 01:35 EDT on
  2013-11-03 gives 01:00 EST) expects.  APScheduler 3.x with pytz gets DST wrong in
  several ways (e.g. it localises with is_dst=False, so a repeated wall time
  fires at its *second* occurrence, a skipped one at a pytz-unnormalised
  time, and _increment_field_value adds wall-clock differences to absolute
  times, which can skip a day after a transition); those are the known DST
  bugs of 3.x and the documented reason this project does not copy it there.
  For zones and dates without a transition the two agree, which this script
  checks for every case (see check_native).
- crontab: croniter (Vixie semantics, day-of-month OR day-of-week), on wall
  times mapped the same way (wildcard: the line's minute or hour field
  begins with '*', or @hourly).  croniter applies the OR rule also when a field
  starts with '*' but is not '*' (e.g. '*/2'), unlike Vixie cron, which only
  ORs when neither field starts with '*': such lines are not generated.
"""

import random
import sys
from datetime import datetime, timedelta, timezone

from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from croniter import croniter

UTC = timezone.utc
COUNT = 6
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
         "Pacific/Chatham", "Asia/Kolkata", "Europe/London",
         "America/Sao_Paulo"]
DST_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
             "Pacific/Chatham", "Europe/London"]
# Only used for the cases named after them: not drawn at random, so the
# random cases stay what they were.
SPECIAL_ZONES = ["US/Eastern", "Pacific/Apia", "Pacific/Kwajalein"]

rng = random.Random(20260302)
native_mismatch = 0


def iso(dt, zone):
    return dt.astimezone(ZoneInfo(zone)).isoformat()


def transitions(zone, year):
    """UTC instants where the zone's offset changes during year."""
    zi = ZoneInfo(zone)
    out = []
    t = datetime(year, 1, 1, tzinfo=UTC)
    prev = t.astimezone(zi).utcoffset()
    while t.year == year:
        nt = t + timedelta(hours=1)
        off = nt.astimezone(zi).utcoffset()
        if off != prev:
            lo, hi = t, nt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zi).utcoffset() == prev:
                    lo = mid
                else:
                    hi = mid
            out.append(hi.replace(microsecond=0))
            prev = off
        t = nt
    return out


def wall_to_instant(wall, zone):
    """A naive wall time as an instant: gap -> end of gap, fold -> first."""
    zi = ZoneInfo(zone)
    a = wall.replace(tzinfo=zi, fold=0).astimezone(UTC)
    b = wall.replace(tzinfo=zi, fold=1).astimezone(UTC)
    first, second = min(a, b), max(a, b)
    if first.astimezone(zi).replace(tzinfo=None) == wall:
        return first
    if second.astimezone(zi).replace(tzinfo=None) == wall:
        return second
    # In a gap: find the transition between the two readings.
    lo, hi = first, second
    off = lo.astimezone(zi).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zi).utcoffset() == off:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


def ceil_second(dt):
    if dt.microsecond:
        return dt + timedelta(seconds=1, microseconds=-dt.microsecond)
    return dt


def parse_date(value, zone):
    """As the C code reads start_date/end_date/run_date."""
    dt = datetime.fromisoformat(value.replace(" ", "T"))
    if dt.tzinfo is None:
        return wall_to_instant(dt, zone)
    return dt.astimezone(UTC)


_transitions = {}


def transitions_between(zone, a, b):
    """The zone's transitions T with a < T <= b (UTC datetimes)."""
    out = []
    for year in range(a.year, b.year + 1):
        if (zone, year) not in _transitions:
            _transitions[zone, year] = transitions(zone, year)
        out += [t for t in _transitions[zone, year] if a < t <= b]
    return out


def occurrences(wall, zone):
    """The instants at which the zone's clocks show naive wall time wall."""
    zi = ZoneInfo(zone)
    out = set()
    for fold in (0, 1):
        u = wall.replace(tzinfo=zi, fold=fold).astimezone(UTC)
        if u.astimezone(zi).replace(tzinfo=None) == wall:
            out.add(u)
    return sorted(out)


def day_shown(day, zone):
    """Whether any clock in the zone shows calendar date day."""
    zi = ZoneInfo(zone)
    midnight = datetime(day.year, day.month, day.day)
    if occurrences(midnight, zone):
        return True
    end = wall_to_instant(midnight, zone)    # the gap's end
    return end.astimezone(zi).date() == day


def fire_instants(wall, zone, wild):
    """The instants a matching wall time fires at (see the docstring)."""
    occ = occurrences(wall, zone)
    if occ:
        return occ if wild else occ[:1]
    if not day_shown(wall.date(), zone):
        return []
    return [wall_to_instant(wall, zone)]


def next_fire(next_wall, zone, s, wild):
    """The first fire instant at or after s: the least fire_instants of the
    matching wall times that is >= s.  Without a transition between s and
    the first one found, wall times and instants run in the same order and
    it is the answer; else every matching wall time shown between s and it
    is looked at too."""
    zi = ZoneInfo(zone)

    def walls(lo, hi):
        wall = lo
        while hi is None or wall <= hi:
            w = next_wall(wall)
            if w is None or (hi is not None and w > hi):
                return
            yield w
            wall = w + timedelta(seconds=1)

    def local(u):
        return u.astimezone(zi).replace(tzinfo=None)

    best = None
    for w in walls(local(s), None):
        c = [u for u in fire_instants(w, zone, wild) if u >= s]
        if c:
            best = c[0]
            break
    if best is None:
        return None
    trans = transitions_between(zone, s, best)
    if not trans:
        return best
    shown = [local(s), local(best)]
    for t in trans:
        shown += [local(t), local(t - timedelta(seconds=1))]
    for w in walls(min(shown), max(shown)):
        for u in fire_instants(w, zone, wild):
            if s <= u < best:
                best = u
    return best


def wall_sequence(next_wall, zone, start, end, wild):
    """Fire instants from start: next_wall(naive) gives the first matching
    wall time at or after a naive wall time."""
    out = []
    s = ceil_second(start)
    while len(out) < COUNT:
        u = next_fire(next_wall, zone, s, wild)
        if u is None or (end is not None and u > end):
            return out
        out.append(u)
        s = u + timedelta(seconds=1)
    return out


def cron_expected(fields, zone, frm):
    kw = {k: v for k, v in fields.items()
          if k not in ("start_date", "end_date", "timezone", "jitter")}
    wall_trigger = CronTrigger(timezone="UTC", **kw)
    start_date = parse_date(fields["start_date"], zone) \
        if "start_date" in fields else None
    end = parse_date(fields["end_date"], zone) if "end_date" in fields \
        else None

    def next_wall(wall):
        f = wall_trigger.get_next_fire_time(None, wall.replace(tzinfo=UTC))
        return None if f is None else f.replace(tzinfo=None)

    start = max(frm, start_date) if start_date else frm
    wild = any(str(f).startswith("*") for f in wall_trigger.fields
               if f.name in ("hour", "minute"))
    return wall_sequence(next_wall, zone, start, end, wild)


def check_native(fields, zone, frm, expected):
    """APScheduler on its own must agree away from DST transitions."""
    global native_mismatch
    # Jitter is random: the C trigger_next leaves it to the scheduler.
    t = CronTrigger(**{k: v for k, v in fields.items()
                       if k not in ("timezone", "jitter")}, timezone=zone)
    got = []
    now = frm
    prev = None
    while len(got) < COUNT:
        f = t.get_next_fire_time(prev, now)
        if f is None:
            break
        got.append(f.astimezone(UTC))
        prev = now = f
    if got != expected[:len(got)] or len(got) != len(expected):
        if zone not in DST_ZONES + SPECIAL_ZONES:
            sys.exit("APScheduler disagrees without DST: %s %s %s" %
                     (fields, zone, frm))
        native_mismatch += 1


def crontab_expected(expr, zone, frm):
    def next_wall(wall):
        it = croniter(expr, wall - timedelta(seconds=1))
        return it.get_next(datetime)
    fields = expr.split() if not expr.startswith("@") else \
        (["0", "*"] if expr == "@hourly" else ["0", "0"])
    wild = fields[0].startswith("*") or fields[1].startswith("*")
    return wall_sequence(next_wall, zone, frm, None, wild)


def interval_expected(fields, zone, frm):
    kw = {}
    for k, v in fields.items():
        if k == "jitter":
            continue  # random; the scheduler applies it, not trigger_next
        if k in ("weeks", "days", "hours", "minutes", "seconds"):
            kw[k] = float(v) if "." in v else int(v)
        elif k in ("start_date", "end_date"):
            kw[k] = parse_date(v, zone)
    if "start_date" not in kw:
        # APScheduler takes now + interval; the C code takes FROM.
        kw["start_date"] = frm + timedelta(**{k: v for k, v in kw.items()
                                              if k not in ("start_date",
                                                           "end_date")})
        if kw["start_date"] == frm:
            kw["start_date"] = frm + timedelta(seconds=1)
    t = IntervalTrigger(timezone=zone, **kw)
    out = []
    prev = None
    now = frm
    while len(out) < COUNT:
        f = t.get_next_fire_time(prev, now)
        if f is None:
            break
        out.append(f.astimezone(UTC))
        prev = now = f
    return out


def date_expected(fields, zone, frm):
    t = DateTrigger(run_date=parse_date(fields["run_date"], zone),
                    timezone=zone)
    f = t.get_next_fire_time(None, frm)
    return [f.astimezone(UTC)] if f else []


def emit(kind, fields, frm, expected, zone):
    fs = ";".join("%s=%s" % kv for kv in fields.items()) or "-"
    exp = ",".join(iso(e, zone) for e in expected) or "-"
    print("%s\t%s\t%s\t%s" % (kind, fs, frm.isoformat(), exp))


def cron_case(fields, zone, frm):
    fields = dict(fields)
    fields["timezone"] = zone
    expected = cron_expected(fields, zone, frm)
    check_native(fields, zone, frm, expected)
    # APScheduler fires a cron with no field of its own every second;
    # manager refuses it (issue 11): checked above, not emitted.
    if set(fields) <= {"timezone", "start_date", "end_date", "jitter"}:
        return
    emit("cron", fields, frm, expected, zone)


# ---- cron cases ----

CRON_FIELD_SETS = [
    {},
    {"minute": "0"},
    {"minute": "*/15"},
    {"minute": "0", "hour": "9"},
    {"minute": "30", "hour": "9", "day_of_week": "mon-fri"},
    {"minute": "0", "hour": "9", "day_of_week": "MON,wed,Fri"},
    {"hour": "*/3"},
    {"hour": "8-18/2", "minute": "15,45"},
    {"second": "*/10"},
    {"second": "5", "minute": "*/7"},
    {"day": "last"},
    {"day": "last", "hour": "23", "minute": "59"},
    {"day": "last fri"},
    {"day": "2nd fri", "hour": "9"},
    {"day": "1st mon", "month": "jan-mar"},
    {"day": "5th sun"},
    {"day": "3rd wed,last mon", "hour": "12"},
    {"day": "29", "month": "feb"},
    {"day": "29", "month": "2", "hour": "6"},
    {"day": "31"},
    {"day": "1-7", "day_of_week": "mon"},
    {"day": "*/10"},
    {"day": "10-20/3", "hour": "7"},
    {"month": "jan,jul", "day": "15"},
    {"month": "*/4"},
    {"month": "feb-apr", "day": "last", "hour": "18"},
    {"month": "dec", "day": "25", "hour": "7", "minute": "30"},
    {"year": "2027", "month": "3"},
    {"year": "2026-2028", "month": "6", "day": "1"},
    {"year": "2028", "month": "2", "day": "29"},
    {"week": "1"},
    {"week": "*/2", "day_of_week": "mon", "hour": "9"},
    {"week": "10-12", "day_of_week": "fri"},
    {"week": "53"},
    {"day_of_week": "sat,sun", "hour": "10"},
    {"day_of_week": "0", "hour": "0"},
    {"day_of_week": "6"},
    {"day_of_week": "0-4", "hour": "17", "minute": "30"},
    {"day_of_week": "*/2", "hour": "1"},
    {"day_of_week": "tue-thu", "hour": "9-17", "minute": "0"},
    {"hour": "2", "minute": "30"},
    {"hour": "1-3", "minute": "*/20"},
    {"hour": "2"},
    {"hour": "3", "minute": "0"},
    {"minute": "30"},
    {"minute": "0,30", "hour": "0-4"},
    {"minute": "45", "hour": "2"},
    {"minute": "15", "hour": "3"},
    {"hour": "0", "minute": "0"},
    {"minute": "5/20"},
    {"minute": "10-50/20", "hour": "*/6"},
    {"month": "1, 4 ,7", "day": "1"},
]

FROMS = ["2026-01-01T00:00:00", "2026-03-02T09:00:00", "2026-02-28T23:59:59",
         "2027-12-31T23:30:00.250000", "2028-02-27T12:00:00"]


def from_in(zone, value):
    return wall_to_instant(datetime.fromisoformat(value), zone)


def cron_cases():
    for fields in CRON_FIELD_SETS:
        for zone in ("UTC", rng.choice(ZONES)):
            cron_case(fields, zone, from_in(zone, rng.choice(FROMS)))
    # Every DST transition of 2026 and 2027 in several zones, with the
    # schedules most likely to hit the gap or the fold.
    dst_fields = [f for f in CRON_FIELD_SETS
                  if set(f) <= {"hour", "minute", "second"} and f]
    for zone in DST_ZONES:
        for year in (2026, 2027):
            for t in transitions(zone, year):
                for fields in dst_fields:
                    # Just before the change (sub-daily schedules reach
                    # it within six fire times) and a day before it.
                    for before in (timedelta(minutes=90),
                                   timedelta(hours=25)):
                        cron_case(fields, zone, t - before)
    # start_date and end_date, naive and with offsets.
    cron_case({"minute": "0", "hour": "9",
               "start_date": "2026-03-10", "end_date": "2026-03-14 09:00:00"},
              "Europe/Berlin", from_in("Europe/Berlin", "2026-03-01T00:00:00"))
    cron_case({"minute": "*/30", "start_date": "2026-06-01T10:00:00+02:00",
               "end_date": "2026-06-01T12:00:00Z"},
              "Europe/Berlin", from_in("UTC", "2026-01-01T00:00:00"))
    cron_case({"hour": "12", "end_date": "2026-01-03"}, "America/New_York",
              from_in("UTC", "2026-01-01T00:00:00"))
    cron_case({"second": "30", "start_date": "2026-01-01 00:00:00.500000"},
              "UTC", from_in("UTC", "2025-12-01T00:00:00"))
    cron_case({"day": "31", "month": "2"}, "UTC",
              from_in("UTC", "2026-01-01T00:00:00"))
    cron_case({"day": "2nd fri", "hour": "9", "jitter": "30"}, "Europe/Berlin",
              from_in("UTC", "2026-01-01T00:00:00"))
    # APScheduler 3.9's own test_dst_change (US/Eastern, 2013), and its
    # autumn case with fixed times beside it.
    for fields, frm in (({"hour": "8"}, "2013-03-09T12:00:00-05:00"),
                        ({"hour": "8"}, "2013-11-02T12:00:00-04:00"),
                        ({"minute": "*/30"}, "2013-03-10T01:35:00-05:00"),
                        ({"minute": "*/30"}, "2013-11-03T01:35:00-04:00"),
                        ({"hour": "*/1"}, "2013-11-03T00:05:00-04:00"),
                        ({"hour": "1", "minute": "0,30"},
                         "2013-11-03T00:05:00-04:00")):
        cron_case(fields, "US/Eastern", datetime.fromisoformat(frm))
    # Calendar days no clock showed: Samoa skipped 2011-12-30, Kwajalein
    # 1993-08-21.
    for fields, frm in (({"hour": "12"}, "2011-12-29T12:00:01-10:00"),
                        ({"minute": "*/30"}, "2011-12-29T22:10:00-10:00"),
                        ({"day": "30", "hour": "9"},
                         "2011-12-29T12:00:01-10:00")):
        cron_case(fields, "Pacific/Apia", datetime.fromisoformat(frm))
    cron_case({"hour": "12"}, "Pacific/Kwajalein",
              datetime.fromisoformat("1993-08-20T12:00:01-12:00"))


# ---- crontab cases ----

CRONTABS = [
    "* * * * *", "0 * * * *", "*/15 * * * *", "0 9 * * 1-5", "0 9 * * mon-fri",
    "30 2 * * *", "0 2 * * *", "15 3 * * *", "*/20 1-3 * * *", "0 0 1 * *",
    "0 0 1 1 *", "0 0 * * 0", "0 0 * * 7", "0 0 * * 5-7", "0 0 * * */2",
    "0 0 13 * 5", "0 0 13 * fri", "0 12 1,15 * sun", "0 0 29 2 *",
    "0 0 31 * *", "0 0 5/10 * *", "0 8-18/2 * jan-mar *", "5,35 * * * *",
    "0 0 * 2 *", "0 6 1-7 * mon", "0 0 * * sat,sun", "45 23 28-31 * *",
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
    "@hourly",
]


def crontab_cases():
    for expr in CRONTABS:
        for zone in ("UTC", rng.choice(ZONES)):
            frm = from_in(zone, rng.choice(FROMS))
            line = expr
            emit("cron", {"crontab": line, "timezone": zone}, frm,
                 crontab_expected(expr, zone, frm), zone)
    for zone in DST_ZONES:
        for t in transitions(zone, 2026):
            for expr in ("30 2 * * *", "*/20 1-3 * * *", "0 * * * *",
                         "0 3 * * *"):
                frm = t - timedelta(hours=5)
                emit("cron", {"crontab": expr, "timezone": zone}, frm,
                     crontab_expected(expr, zone, frm), zone)
    # Vixie's wildcard jobs ('*' in minute or hour) run through a repeated
    # hour again; fixed-time ones and skipped days as above.
    for expr, zone, frm in (
            ("*/30 * * * *", "US/Eastern", "2013-11-03T01:35:00-04:00"),
            ("*/20 1-3 * * *", "Europe/Berlin", "2026-10-25T01:50:00+02:00"),
            ("0,30 1-3 * * *", "Europe/Berlin", "2026-10-25T01:50:00+02:00"),
            ("@hourly", "Europe/Berlin", "2026-10-25T01:50:00+02:00"),
            ("0 12 * * *", "Pacific/Apia", "2011-12-29T12:00:01-10:00")):
        frm = datetime.fromisoformat(frm)
        emit("cron", {"crontab": expr, "timezone": zone}, frm,
             crontab_expected(expr, zone, frm), zone)


# ---- interval and date cases ----

INTERVALS = [
    {"seconds": "1"}, {"seconds": "45"}, {"minutes": "30"}, {"hours": "1"},
    {"hours": "2", "minutes": "30"}, {"days": "1"}, {"weeks": "2"},
    {"days": "1", "hours": "12"}, {"minutes": "1.5"}, {"seconds": "0.25"},
    {"weeks": "1", "days": "1", "hours": "1", "minutes": "1", "seconds": "1"},
    {"seconds": "0"},
]


def interval_case(fields, zone, frm):
    fields = dict(fields)
    fields["timezone"] = zone
    emit("interval", fields, frm, interval_expected(fields, zone, frm), zone)


def interval_cases():
    for fields in INTERVALS:
        for zone in ("UTC", rng.choice(ZONES)):
            frm = from_in(zone, rng.choice(FROMS))
            interval_case(fields, zone, frm)
            f = dict(fields)
            f["start_date"] = "2025-06-15 08:00:00"
            interval_case(f, zone, frm)
            f = dict(fields)
            f["start_date"] = "2026-12-24T18:00:00+01:00"
            interval_case(f, zone, frm)
    # end_date cuts the series short; across DST an interval is absolute.
    interval_case({"hours": "1", "start_date": "2026-03-29 00:00:00",
                   "end_date": "2026-03-29 04:00:00"}, "Europe/Berlin",
                  from_in("UTC", "2026-03-28T00:00:00"))
    interval_case({"minutes": "30", "start_date": "2026-10-25 01:00:00",
                   "end_date": "2026-10-25 05:00:00"}, "Europe/Berlin",
                  from_in("UTC", "2026-10-24T00:00:00"))
    interval_case({"days": "1", "start_date": "2026-03-07 09:00:00"},
                  "America/New_York", from_in("UTC", "2026-03-06T00:00:00"))
    interval_case({"hours": "6", "start_date": "2026-01-01",
                   "end_date": "2026-01-01T12:00:00Z"}, "UTC",
                  from_in("UTC", "2026-01-02T00:00:00"))
    interval_case({"hours": "1", "jitter": "10",
                   "start_date": "2026-01-01 00:00:00"}, "UTC",
                  from_in("UTC", "2026-01-01T00:30:00"))


def date_cases():
    for zone in ZONES:
        for run in ("2026-03-02 09:00:00", "2026-07-04", "2026-12-31T23:59:59Z",
                    "2026-03-02T09:00:00.123456+05:30"):
            for frm in ("2026-01-01T00:00:00", "2027-01-01T00:00:00"):
                fields = {"run_date": run, "timezone": zone}
                f = from_in(zone, frm)
                emit("date", fields, f, date_expected(fields, zone, f), zone)


def main():
    print("# Generated by gen-trigger-cases.py from APScheduler %s and croniter;"
          " do not edit." % __import__("apscheduler").__version__)
    print("# TYPE\tFIELDS\tFROM\tEXPECTED (see the script for the format)")
    cron_cases()
    crontab_cases()
    interval_cases()
    date_cases()
    print("# %d cron cases differ from APScheduler+pytz only by its DST bugs"
          % native_mismatch)


if __name__ == "__main__":
    main()
