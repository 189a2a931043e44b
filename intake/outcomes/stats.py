"""The clinic's outcomes: courses, change in pain and activities, the soreness curve, adverse events at
check-ins beside the published rates, and the journey funnel.

Every figure is aggregated in the database; Python only reads back a handful of aggregated rows (a
soreness histogram of at most 3 x 11 bins, one median row per funnel step), so the number of queries
and the Python work do not grow with the number of patients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    TextField,
)
from django.db.models.functions import Cast
from django.utils import timezone

from intake.aftercare.advice import ASKED_RED_FLAGS
from intake.journey.understanding import QUESTIONS
from intake.models import CheckIn, OutcomeMoment, OutcomeResponse, UnderstandingResult, Visit, VisitRecord
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
        """Visits with a session (or, for the funnel, an appointment) in range, for the clinician."""
        condition = Q()
        if self.clinician is not None:
            condition &= Q(**{f"{prefix}clinician": self.clinician})
        return condition


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def courses(scope: Scope) -> Table:
    sessions = VisitRecord.objects.filter(
        scope.visits("visit__"), treated_at__gte=scope.start, treated_at__lt=scope.end
    )
    earlier = VisitRecord.objects.filter(
        visit__patient=OuterRef("visit__patient"), treated_at__lt=OuterRef("treated_at")
    )
    # A course starts with a patient's first recorded session.
    started = sessions.exclude(Exists(earlier)).values("visit__patient").distinct().count()
    discharged = OutcomeResponse.objects.filter(
        scope.visits("visit__"),
        moment=OutcomeMoment.DISCHARGE,
        submitted_at__gte=scope.start,
        submitted_at__lt=scope.end,
    ).count()
    return Table(
        "courses",
        "Courses and sessions",
        ["Measure", "Count"],
        [
            ["Courses started (first session in range)", started],
            ["Courses discharged", discharged],
            ["Sessions", sessions.count()],
        ],
    )


def _change(scope: Scope, column: str, better: str, important: float) -> dict:
    """Mean change since the first measure, and how many patients improved (or got worse) by the
    important difference or more, read from each patient's latest response in range (kept by
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
            "Patients",
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
    in_range = {"visit__record__treated_at__gte": scope.start, "visit__record__treated_at__lt": scope.end}
    bins: dict[str, dict[int, int]] = {label: {} for label, _hours in SORENESS_POINTS}
    for row in (
        CheckIn.objects.filter(scope.visits("visit__"), **in_range).values("window", "soreness").annotate(n=Count("pk"))
    ):
        bins[row["window"]][row["soreness"]] = row["n"]
    after = VisitRecord.objects.filter(
        scope.visits("visit__"), treated_at__gte=scope.start, treated_at__lt=scope.end, soreness_after__isnull=False
    )
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
    sessions = VisitRecord.objects.filter(
        scope.visits("visit__"), treated_at__gte=scope.start, treated_at__lt=scope.end
    ).count()
    checkins = CheckIn.objects.filter(
        scope.visits("visit__"), visit__record__treated_at__gte=scope.start, visit__record__treated_at__lt=scope.end
    ).annotate(flags_text=Cast("red_flags", TextField()))
    counts = checkins.aggregate(
        any_sign=Count("visit", distinct=True, filter=Q(urgent=True)),
        **{code: Count("visit", distinct=True, filter=Q(flags_text__contains=f'"{code}"')) for code in ASKED_RED_FLAGS},
    )
    not_settling = Visit.objects.filter(
        scope.visits(),
        record__treated_at__gte=scope.start,
        record__treated_at__lt=scope.end,
        not_settling_since__isnull=False,
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


def funnel(scope: Scope) -> Table:
    visits = Visit.objects.filter(scope.visits(), scheduled_at__gte=scope.start, scheduled_at__lt=scope.end)
    counts = visits.aggregate(
        **{key: Count("pk", filter=Q(**{f"{stamp}__isnull": False})) for key, _label, stamp in FUNNEL}
    )
    table = Table(
        "funnel",
        "The patient's journey before the first session",
        ["Step", "Visits", "Share of invited (%)", "Median time from the step before (hours)"],
    )
    previous_stamp = None
    for key, label, stamp in FUNNEL:
        median = None
        if previous_stamp is not None and counts[key]:
            took = ExpressionWrapper(F(stamp) - F(previous_stamp), output_field=DurationField())
            middle = (
                visits.filter(**{f"{stamp}__isnull": False, f"{previous_stamp}__isnull": False})
                .annotate(took=took)
                .order_by("took")
                .values_list("took", flat=True)[(counts[key] - 1) // 2 : (counts[key] - 1) // 2 + 1]
            )
            found = list(middle)
            median = round(found[0].total_seconds() / 3600, 1) if found and found[0] is not None else None
        table.rows.append([label, counts[key], _pct(counts[key], counts["invited"]), median])
        previous_stamp = stamp
    return table


def understanding(scope: Scope) -> Table:
    results = UnderstandingResult.objects.filter(
        scope.visits("visit__"), visit__scheduled_at__gte=scope.start, visit__scheduled_at__lt=scope.end
    )
    counts = results.aggregate(
        answered=Count("pk"),
        **{q.key: Count("pk", filter=Q(**{f"first_try__{q.key}": False})) for q in QUESTIONS},
    )
    rows = sorted(
        ([str(q.text), counts[q.key], _pct(counts[q.key], counts["answered"])] for q in QUESTIONS),
        key=lambda row: -row[1],
    )
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


# Each table by its key, for the CSV downloads.
TABLES = {
    "courses": courses,
    "change": change,
    "soreness": soreness_curve,
    "adverse": adverse_events,
    "funnel": funnel,
    "understanding": understanding,
}
