"""The clinic's outcomes: courses, change in pain and activities, the soreness curve, adverse events at
check-ins beside the published rates, and the journey funnel.

Every figure is aggregated in the database; Python only reads back a handful of aggregated rows (a
soreness histogram of at most 3 x 11 bins; on databases other than PostgreSQL, one median row per funnel
step), so the number of queries and the Python work do not grow with the number of patients.

The page keeps a computed report for OUTCOMES_CACHE_SECONDS (five minutes by default) per date range and
clinician, and says "figures as of HH:MM": a report of past weeks needs no invalidation to be correct,
only its time. Every viewer with the page's role sees the same clinic-wide figures for the same filters,
so the viewer is not part of the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    TextField,
)
from django.db.models.functions import Cast
from django.utils import timezone

from intake.aftercare.advice import ASKED_RED_FLAGS
from intake.journey.understanding import QUESTIONS
from intake.models import CheckIn, Course, OutcomeResponse, UnderstandingResult, Visit, VisitRecord
from intake.outcomes import measures

# Published rates for a clinic's own comparison (clinical.md section 5).
PUBLISHED_ADVERSE_RATES = [
    ("Brady 2014, mild events (7,629 treatments)", 19.18),
    ("Boyce 2020, minor events (20,464 sessions)", 36.7),
    ("Brady 2014, bruising", 7.55),
    ("Boyce 2020, bruising", 7.7),
]
FUNNEL = [
    ("invited", "Invited", "created_at"),
    ("opened", "Opened the link", "opened_at"),
    ("screened", "Screening done", "screening_done_at"),
    ("understood", "Understanding checked", "understanding_done_at"),
    ("signed", "Consent signed", "signed_at"),
]
SORENESS_POINTS = [("0h", 0), ("24h", 24), ("72h", 72)]


@dataclass
class Table:
    """One chart's numbers: shown beside the chart and downloaded as CSV."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    date_from: date
    date_to: date
    clinician: object | None = None

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def visits(self, prefix: str = "") -> Q:
        """The clinician's visits (every visit when the page is for all clinicians)."""
        condition = Q()
        if self.clinician is not None:
            condition &= Q(**{f"{prefix}clinician": self.clinician})
        return condition

    def sessions(self):
        """The sessions (visit records) treated in range, for the clinician."""
        return VisitRecord.objects.filter(self.visits("visit__"), treated_at__gte=self.start, treated_at__lt=self.end)

    @cached_property
    def session_count(self) -> int:
        """Counted once per page: the courses and adverse-event tables both show it."""
        return self.sessions().count()

    def session_visit_ids(self):
        """The ids of the visits of those sessions: check-ins are matched on them directly, so the query
        does not join every check-in to its visit and then to its record."""
        return self.sessions().values("visit_id")


class LowerMedian(Aggregate):
    """PostgreSQL's percentile_disc(0.5): the middle value, the lower of the two middle ones for an even
    count (as the portable ORDER BY ... OFFSET fallback in funnel() picks). Nulls are skipped."""

    function = "PERCENTILE_DISC"
    name = "LowerMedian"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def courses(scope: Scope) -> Table:
    # A course starts with its first recorded session: one pass grouping the sessions by course (rather
    # than looking for an earlier session of the same course for every session in range). Per clinician,
    # the course counts when one of its first sessions is theirs.
    firsts = (
        VisitRecord.objects.filter(treated_at__lt=scope.end)
        .values("visit__course")
        .annotate(first=Min("treated_at"))
        .filter(first__gte=scope.start)
    )
    if scope.clinician is not None:
        firsts = firsts.annotate(first_theirs=Min("treated_at", filter=Q(scope.visits("visit__")))).filter(
            first_theirs=F("first")
        )
    started = firsts.count()
    closed = Course.objects.filter(
        status=Course.Status.DISCHARGED, discharged_at__gte=scope.start, discharged_at__lt=scope.end
    )
    if scope.clinician is not None:
        # Per clinician: the courses in which they gave a session.
        closed = closed.filter(Exists(Visit.objects.filter(scope.visits(), course=OuterRef("pk"))))
    discharged = closed.count()
    return Table(
        "courses",
        "Courses and sessions",
        ["Measure", "Count"],
        [
            ["Courses started (first session in range)", started],
            ["Courses discharged", discharged],
            ["Sessions", scope.session_count],
        ],
    )


def _change(scope: Scope, column: str, better: str, important: float) -> dict:
    """Mean change since the course's first measure, and how many courses improved (or got worse) by the
    important difference or more, read from each course's latest response in range (kept by
    intake/outcomes/services.py); per clinician: the clinician of that latest session."""
    latest = OutcomeResponse.objects.filter(
        scope.visits("visit__"),
        is_latest=True,
        submitted_at__gte=scope.start,
        submitted_at__lt=scope.end,
        **{f"{column}_change__isnull": False},
    )
    sign = -1 if better == "lower" else 1
    gain = ExpressionWrapper(sign * Cast(f"{column}_change", FloatField()), FloatField())
    return latest.annotate(gain=gain).aggregate(
        n=Count("pk"),
        mean_gain=Avg("gain"),
        improved=Count("pk", filter=Q(gain__gte=important)),
        worse=Count("pk", filter=Q(gain__lte=-important)),
    )


def change(scope: Scope) -> Table:
    definition = measures.definition()
    table = Table(
        "change",
        "Change over the course (first to last measure)",
        [
            "Measure",
            "Courses",
            "Mean improvement (points)",
            "Reached the important difference",
            "Share (%)",
            "Worse by the important difference",
        ],
    )
    for name, column, label in (("nprs", "nprs", "Pain now (NPRS)"), ("psfs", "psfs", "Activities (PSFS)")):
        rule = definition.measures[name]
        result = _change(scope, column, rule["better"], float(rule["important"]))
        mean = round(result["mean_gain"], 1) if result["mean_gain"] is not None else None
        table.rows.append(
            [label, result["n"], mean, result["improved"], _pct(result["improved"], result["n"]), result["worse"]]
        )
    return table


def _quartiles(histogram: dict[int, int]) -> tuple[float, float, float] | None:
    """Lower quartile, median and upper quartile of integer values given as value -> count."""
    total = sum(histogram.values())
    if not total:
        return None

    def at(share: float) -> float:
        # The value at this position of the sorted list (linear between neighbours, like percentile_cont).
        position = share * (total - 1)
        lower, upper = int(position), min(int(position) + 1, total - 1)

        def value(index: int) -> int:
            seen = 0
            for key in sorted(histogram):
                seen += histogram[key]
                if index < seen:
                    return key
            return max(histogram)

        return value(lower) + (position - lower) * (value(upper) - value(lower))

    return at(0.25), at(0.5), at(0.75)


def soreness_curve(scope: Scope) -> Table:
    bins: dict[str, dict[int, int]] = {label: {} for label, _hours in SORENESS_POINTS}
    checkins = CheckIn.objects.filter(visit_id__in=scope.session_visit_ids())
    for row in checkins.values("window", "soreness").annotate(n=Count("pk")).order_by():
        bins[row["window"]][row["soreness"]] = row["n"]
    after = scope.sessions().filter(soreness_after__isnull=False)
    for after_row in after.values("soreness_after").annotate(n=Count("pk")):
        bins["0h"][int(after_row["soreness_after"] or 0)] = after_row["n"]  # never null: filtered above
    table = Table(
        "soreness",
        "Soreness after sessions by hours since the session",
        ["Hours", "Answers", "Lower quartile", "Median", "Upper quartile"],
    )
    for label, hours in SORENESS_POINTS:
        q = _quartiles(bins[label])
        table.rows.append([hours, sum(bins[label].values()), *(q if q else (None, None, None))])
    return table


def adverse_events(scope: Scope) -> Table:
    sessions = scope.session_count
    # Only check-ins that raised something can count: the flag texts are read from those few rows.
    raised = Q(urgent=True) | ~Q(red_flags=[])
    checkins = CheckIn.objects.filter(raised, visit_id__in=scope.session_visit_ids()).annotate(
        flags_text=Cast("red_flags", TextField())
    )
    counts = checkins.aggregate(
        any_sign=Count("visit", distinct=True, filter=Q(urgent=True)),
        **{code: Count("visit", distinct=True, filter=Q(flags_text__contains=f'"{code}"')) for code in ASKED_RED_FLAGS},
    )
    # From the few visits marked not settling (a partial index) to their sessions, not the other way round.
    not_settling = Visit.objects.filter(
        scope.visits(),
        not_settling_since__isnull=False,
        record__treated_at__gte=scope.start,
        record__treated_at__lt=scope.end,
    ).count()
    table = Table(
        "adverse",
        "Adverse events reported at check-ins, per 100 sessions",
        ["Event", "Sessions with it", "Per 100 sessions"],
    )
    table.rows.append(["Sessions", sessions, None])
    table.rows.append(
        ["Any warning sign or soreness not easing", counts["any_sign"], _pct(counts["any_sign"], sessions)]
    )
    names = {
        "breathing": "Breathing or chest symptoms",
        "infection": "Signs of infection",
        "nerve": "Nerve symptoms",
        "bruise": "Large or painful bruise",
    }
    for code in ASKED_RED_FLAGS:
        table.rows.append([names.get(code, code), counts[code], _pct(counts[code], sessions)])
    table.rows.append(["Soreness not settling", not_settling, _pct(not_settling, sessions)])
    for label, rate in PUBLISHED_ADVERSE_RATES:
        table.rows.append([f"Published: {label}", None, rate])
    return table


def _took(stamp: str, previous_stamp: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(stamp) - F(previous_stamp), output_field=DurationField())


def funnel(scope: Scope) -> Table:
    visits = Visit.objects.filter(scope.visits(), scheduled_at__gte=scope.start, scheduled_at__lt=scope.end)
    steps = list(zip(FUNNEL[1:], FUNNEL, strict=False))  # each step after the first, with the one before it
    aggregates: dict = {key: Count("pk", filter=Q(**{f"{stamp}__isnull": False})) for key, _label, stamp in FUNNEL}
    if connection.vendor == "postgresql":
        # Every median in the same single scan of the visits.
        aggregates |= {
            f"{key}_median": LowerMedian(_took(stamp, previous[2]), output_field=DurationField())
            for (key, _label, stamp), previous in steps
        }
    else:
        # Elsewhere each median is read by position: it needs the number of visits with both stamps.
        aggregates |= {
            f"{key}_timed": Count("pk", filter=Q(**{f"{stamp}__isnull": False, f"{previous[2]}__isnull": False}))
            for (key, _label, stamp), previous in steps
        }
    counts = visits.aggregate(**aggregates)
    for (key, _label, stamp), previous in steps:
        timed = counts.get(f"{key}_timed")
        if timed:
            middle = (
                visits.filter(**{f"{stamp}__isnull": False, f"{previous[2]}__isnull": False})
                .annotate(took=_took(stamp, previous[2]))
                .order_by("took")
                .values_list("took", flat=True)[(timed - 1) // 2 : (timed - 1) // 2 + 1]
            )
            counts[f"{key}_median"] = next(iter(middle), None)
    table = Table(
        "funnel",
        "The patient's journey before the first session",
        ["Step", "Visits", "Share of invited (%)", "Median time from the step before (hours)"],
    )
    for key, label, _stamp in FUNNEL:
        took = counts.get(f"{key}_median")
        median = round(took.total_seconds() / 3600, 1) if took is not None else None
        table.rows.append([label, counts[key], _pct(counts[key], counts["invited"]), median])
    return table


def understanding(scope: Scope) -> Table:
    results = UnderstandingResult.objects.filter(
        scope.visits("visit__"), visit__scheduled_at__gte=scope.start, visit__scheduled_at__lt=scope.end
    )
    # Counted per pattern of first-try answers (one row per combination of right and wrong answers, 2^5
    # at most per check version: the rows read back do not grow with the number of patients), one
    # grouping instead of reading every row's answers once per question.
    counts = dict.fromkeys((q.key for q in QUESTIONS), 0)
    answered = 0
    for pattern in results.values("first_try").annotate(n=Count("pk")).order_by():
        answered += pattern["n"]
        for key, correct in (pattern["first_try"] or {}).items():
            if correct is False and key in counts:
                counts[key] += pattern["n"]
    rows: list[list] = [
        [str(q.text), counts[q.key], _pct(counts[q.key], answered)]
        for q in sorted(QUESTIONS, key=lambda q: -counts[q.key])
    ]
    return Table(
        "understanding",
        "Understanding-check questions most often wrong at the first try",
        ["Question", "Wrong at first try", "Share of patients (%)"],
        rows,
    )


def report(scope: Scope) -> list[Table]:
    return [
        courses(scope),
        change(scope),
        soreness_curve(scope),
        adverse_events(scope),
        funnel(scope),
        understanding(scope),
    ]


@dataclass(frozen=True)
class Report:
    tables: list[Table]
    as_of: datetime


# Bump when Table or Report change shape, so a deploy never reads a report pickled by the code before.
REPORT_CACHE_VERSION = 1


def _cache_key(scope: Scope) -> str:
    clinician = getattr(scope.clinician, "pk", None) or "all"
    return f"outcomes:report:{REPORT_CACHE_VERSION}:{scope.date_from:%Y%m%d}:{scope.date_to:%Y%m%d}:{clinician}"


def cached_report(scope: Scope) -> Report:
    """The report for the page: computed at most once per OUTCOMES_CACHE_SECONDS for the same filters."""
    seconds = settings.OUTCOMES_CACHE_SECONDS
    found = cache.get(_cache_key(scope)) if seconds > 0 else None
    if found is None:
        found = Report(report(scope), timezone.now())
        if seconds > 0:
            cache.set(_cache_key(scope), found, seconds)
    return found


def cached_table(scope: Scope, key: str) -> Table:
    """One table for its CSV: the one the page showed while its report is kept, or else counted afresh
    (only that table)."""
    kept = cache.get(_cache_key(scope)) if settings.OUTCOMES_CACHE_SECONDS > 0 else None
    if kept is not None:
        return next(table for table in kept.tables if table.key == key)
    return TABLES[key](scope)


# Each table by its key, for the CSV downloads.
TABLES = {
    "courses": courses,
    "change": change,
    "soreness": soreness_curve,
    "adverse": adverse_events,
    "funnel": funnel,
    "understanding": understanding,
}
