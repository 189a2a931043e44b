"""The clinic's outcomes page (clinicians and the clinic admin): figures over a date range, per clinician,
each chart with its table and a CSV download."""

from __future__ import annotations

import csv
from datetime import timedelta
from typing import cast

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from intake.exports.csv import csv_safe
from intake.outcomes import charts, stats
from intake.staff.forms import ClinicianChoiceField, clinicians
from portal import audit
from portal.access import role_required
from portal.bounds import BoundedDateField
from portal.models import User
from portal.roles import Role

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366


class OutcomesFilterForm(forms.Form):
    date_from = BoundedDateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = BoundedDateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    clinician = ClinicianChoiceField(queryset=User.objects.none(), required=False, empty_label="All clinicians")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["clinician"]).queryset = clinicians()
        self.fields["clinician"].widget.attrs["class"] = "form-select"
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        if start and end and (end - start).days > MAX_DAYS:
            raise forms.ValidationError("Choose a range of three years or less.")
        return data

    def scope(self) -> stats.Scope:
        """The valid filters, or the last 90 days for all clinicians when they are missing or wrong."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS)
        return stats.Scope(date_from=date_from, date_to=date_to, clinician=data.get("clinician"))


def _charts(tables: dict[str, stats.Table]) -> dict:
    curve = tables["soreness"].rows
    with_data = [row for row in curve if row[1]]
    soreness_svg = charts.line_chart(
        chart_id="clinic-soreness",
        title="Soreness after sessions: median and quartiles",
        description="Median soreness 0 to 10 at 0, 24 and 72 hours after the session; the shaded band runs from "
        "the lower to the upper quartile. The table has the numbers.",
        series=[
            charts.Series(
                "Median soreness", [(row[0], row[3]) for row in with_data], [f"{row[0]} h" for row in with_data]
            )
        ],
        x_range=(0, 72),
        y_range=(0, 10),
        x_ticks=[(0, "0 h"), (24, "24 h"), (48, "48 h"), (72, "72 h")],
        y_ticks=[0, 2, 4, 6, 8, 10],
        x_label="Hours since the session",
        y_label="Soreness",
        band=charts.Band("Quartiles", [(row[0], row[2], row[4]) for row in with_data]) if len(with_data) > 1 else None,
    )
    funnel_svg = charts.bar_chart(
        chart_id="clinic-funnel",
        title="The patient's journey",
        description="How many visits reached each step. The table has the shares and median times.",
        bars=[(row[0], row[1]) for row in tables["funnel"].rows],
    )
    adverse_svg = charts.bar_chart(
        chart_id="clinic-adverse",
        title="Adverse events per 100 sessions, beside published rates",
        description="Events reported at check-ins per 100 sessions, then the published rates.",
        bars=[(row[0].split(" (")[0], row[2]) for row in tables["adverse"].rows[1:]],
    )
    return {"soreness_svg": soreness_svg, "funnel_svg": funnel_svg, "adverse_svg": adverse_svg}


@role_required(Role.CLINICIAN)
@never_cache
def outcomes(request: HttpRequest) -> HttpResponse:
    form = OutcomesFilterForm(request.GET or None)
    scope = form.scope()
    if not form.is_bound:
        form = OutcomesFilterForm(initial={"date_from": scope.date_from, "date_to": scope.date_to})
    report = stats.cached_report(scope)
    tables = {table.key: table for table in report.tables}
    audit.record(
        "outcomes.viewed",
        request=request,
        details={"days": (scope.date_to - scope.date_from).days + 1, "per_clinician": scope.clinician is not None},
    )
    return render(
        request,
        "intake/staff/outcomes.html",
        {
            "form": form,
            "scope": scope,
            "tables": tables,
            "as_of": report.as_of,
            "cache_minutes": settings.OUTCOMES_CACHE_SECONDS // 60,
            "querystring": request.GET.urlencode(),
            **_charts(tables),
        },
    )


@role_required(Role.CLINICIAN)
@never_cache
def outcomes_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in stats.TABLES:
        raise Http404
    scope = OutcomesFilterForm(request.GET or None).scope()
    result = stats.cached_table(scope, table)
    audit.record("outcomes.exported_csv", request=request, details={"table": table})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="outcomes-{table}-{scope.date_from:%Y%m%d}-{scope.date_to:%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(result.headers)
    for row in result.rows:
        writer.writerow([cell if isinstance(cell, int | float) else csv_safe(cell) for cell in row])
    return response
