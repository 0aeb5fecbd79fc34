#!/usr/bin/env python3
"""Write reference values for engine::data::dates (tests/reference/dates.json) with Python's
own datetime, an implementation independent of the engine's calendar arithmetic.

Run from the repository root (standard library only):

    python3 scripts/dates_reference.py

Each case is a cell as a file could write it, the format it is read in, and what datetime makes
of it: days since 1970-01-01, the second of the day (when the cell has a time), the year, month,
day, day of the year and weekday (Monday = 0). The cells are seeded pseudo-random dates from 1600
to 2400 (leap days and century years included) in every format, plus fixed edge cases.
Deterministic: the output is byte-identical on re-run.
"""

import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from refjson import dumps  # noqa: E402

EPOCH = dt.date(1970, 1, 1)


def case(cell, fmt, day, seconds):
    return {
        "cell": cell,
        "format": fmt,
        "days": (day - EPOCH).days,
        "second_of_day": seconds,
        "year": day.year,
        "month": day.month,
        "day": day.day,
        "day_of_year": day.timetuple().tm_yday,
        "weekday": day.weekday(),
    }


def main():
    rng = random.Random(20261207)
    cases = []
    fixed = [dt.date(2000, 2, 29), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(1970, 1, 1),
             dt.date(1969, 12, 31), dt.date(2024, 12, 31), dt.date(1600, 1, 1), dt.date(2400, 12, 31)]
    days = fixed + [dt.date(1600, 1, 1) + dt.timedelta(days=rng.randrange(0, 292_000)) for _ in range(120)]
    for i, day in enumerate(days):
        y, m, d = day.year, day.month, day.day
        cases.append(case(f"{y:04d}-{m:02d}-{d:02d}", "YearFirst", day, None))
        cases.append(case(f"{y:04d}/{m}/{d}", "YearFirst", day, None))
        cases.append(case(f"{d:02d}/{m:02d}/{y:04d}", "DayFirst", day, None))
        cases.append(case(f"{d}.{m}.{y:04d}", "DayFirst", day, None))
        cases.append(case(f"{m:02d}/{d:02d}/{y:04d}", "MonthFirst", day, None))
        h, mi, s = rng.randrange(24), rng.randrange(60), rng.randrange(60)
        seconds = h * 3600 + mi * 60 + s
        zone = ["", "Z", "+02:00", "-0530"][i % 4]
        sep = "T" if i % 2 else " "
        cases.append(case(f"{y:04d}-{m:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{zone}", "YearFirst", day, seconds))
        cases.append(case(f"{d:02d}-{m:02d}-{y:04d} {h:02d}:{mi:02d}", "DayFirst", day, h * 3600 + mi * 60))
        if 1973 <= y <= 2286:
            moment = dt.datetime(y, m, d, h, mi, s, tzinfo=dt.timezone.utc)
            stamp = int(moment.timestamp())
            cases.append(case(str(stamp), "UnixSeconds", day, seconds))
            cases.append(case(str(stamp * 1000 + rng.randrange(1000)), "UnixMillis", day, seconds))
    out = Path(__file__).resolve().parent.parent / "tests" / "reference" / "dates.json"
    out.write_text(dumps(cases) + "\n")
    print(f"wrote {out} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
