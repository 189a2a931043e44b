"""The clinician's picture: pain and activities by session, each session's soreness against the usual band."""

import xml.etree.ElementTree as ET

import pytest

from intake.outcomes import charts, series
from intake.outcomes.measures import Change
from intake.outcomes.soreness import USUAL_BAND, usual_high
from tests.factories import PatientFactory

SVG = "{http://www.w3.org/2000/svg}"


def _points(svg: str, name: str) -> list[tuple[str, str]]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    group = next(g for g in root.iter(f"{SVG}g") if g.get("data-series") == name)
    return [(el.get("data-x"), el.get("data-y")) for el in group if el.get("class") == "point"]


def test_the_course_reads_three_sessions_with_pain_from_the_screening_first(course):
    patient, _visits = course
    result = series.course_for(patient)
    assert [s.nprs for s in result.sessions] == [7, 5, 4]
    assert [s.psfs for s in result.sessions] == [3.0, 4.5, 6.0]
    assert result.nprs_change == Change.IMPROVED  # 7 -> 4
    assert result.psfs_change == Change.IMPROVED  # 3 -> 6
    assert result.activities == ["Lift my child", "Climb stairs"]


def test_the_measures_chart_draws_each_session_at_its_value(course):
    patient, _visits = course
    svg = series.measures_chart(series.course_for(patient))
    assert _points(svg, "Pain now (lower is better)") == [("1", "7"), ("2", "5"), ("3", "4")]
    assert _points(svg, "Activities, PSFS (higher is better)") == [("1", "3"), ("2", "4.5"), ("3", "6")]


def test_the_soreness_chart_draws_0_24_72_hours_per_session_and_the_usual_band(course):
    patient, _visits = course
    svg = series.soreness_chart(series.course_for(patient))
    assert _points(svg, "Session 1") == [("0", "3"), ("24", "5"), ("72", "2")]
    assert _points(svg, "Session 3") == [("24", "3")]
    root = ET.fromstring(svg)  # noqa: S314
    band = next(el for el in root.iter(f"{SVG}polygon") if el.get("class") == "band")
    assert len(band.get("points").split()) == 2 * len(USUAL_BAND)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text


def test_a_point_beyond_the_axis_is_clamped_to_the_edge_not_dropped():
    svg = charts.line_chart(
        chart_id="c",
        title="t",
        description="d",
        series=[charts.Series("s", [(200, 12)])],
        x_range=(0, 96),
        y_range=(0, 10),
        x_ticks=[],
        y_ticks=[],
    )
    root = ET.fromstring(svg)  # noqa: S314
    circle = next(root.iter(f"{SVG}circle"))
    assert float(circle.get("cy")) == charts.TOP


def test_names_are_escaped_in_the_svg():
    svg = charts.line_chart(
        chart_id="c",
        title="<b>",
        description="&",
        series=[charts.Series("<script>", [(1, 1)])],
        x_range=(0, 2),
        y_range=(0, 10),
        x_ticks=[],
        y_ticks=[],
    )
    assert "<script>" not in svg
    ET.fromstring(svg)  # noqa: S314 - well-formed


def test_the_usual_band_narrows_to_mild_by_72_hours():
    assert usual_high(24) == 6
    assert usual_high(72) == 3
    assert usual_high(60) == pytest.approx(4.0)


@pytest.mark.parametrize("page", ["record", "review"])
def test_the_record_and_the_review_show_the_pictures_and_their_tables(client, clinician, course, page):
    patient, visits = course
    client.force_login(clinician)
    url = f"/staff/patients/{patient.pk}/" if page == "record" else f"/staff/visits/{visits[-1].pk}/review/"
    html = client.get(url).content.decode()
    assert 'id="measures-chart"' in html
    assert 'id="soreness-chart"' in html
    assert "<caption>Pain, activities and soreness by session</caption>" in html
    assert html.count("change-improved") == 2


def test_a_patient_without_sessions_gets_a_plain_sentence(client, clinician, db):
    patient = PatientFactory()
    client.force_login(clinician)
    html = client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "No sessions recorded yet." in html
    assert "<svg" not in html


# --- The patient's picture on the aftercare page ------------------------------------------------


def _aftercare(client, visit):
    from intake.links.tokens import new_token
    from tests.factories import AccessLinkFactory
    from tests.helpers import open_patient_session

    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))
    return client.get("/patient/aftercare/").content.decode()


def test_the_patient_sees_their_soreness_against_the_usual_pattern(client, course):
    _patient, visits = course
    html = _aftercare(client, visits[0])
    assert "Your soreness so far" in html
    assert "Your soreness is easing" in html
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    root = ET.fromstring(html[start : html.index("</svg>", start) + 6])  # noqa: S314
    points = [(el.get("data-x"), el.get("data-y")) for el in root.iter() if el.get("class") == "point"]
    assert points == [("0", "3"), ("24", "5"), ("72", "2")]
    assert "If you notice any of the warning signs below" in html


def test_before_any_check_in_the_patient_reads_the_usual_pattern_in_words(client, db):
    from tests.aftercare.conftest import record_visit
    from tests.factories import VisitFactory

    visit = VisitFactory()
    record_visit(visit)
    html = _aftercare(client, visit)
    assert "Most people feel sore for one to two days" in html
    assert 'class="chart"' not in html


def test_not_settling_soreness_asks_the_patient_to_call_in_spanish_too(client, db):
    from datetime import timedelta

    from intake.models import CheckIn, Visit
    from tests.aftercare.conftest import record_visit
    from tests.factories import VisitFactory

    visit = VisitFactory(language="es")
    record = record_visit(visit)
    checkin = CheckIn.objects.create(visit=visit, window="72h", soreness=6, trend="same")
    CheckIn.objects.filter(pk=checkin.pk).update(submitted_at=record.treated_at + timedelta(hours=73))
    Visit.objects.filter(pk=visit.pk).update(language="es")
    client.cookies["django_language"] = "es"
    html = _aftercare(client, visit)
    assert "Sus molestias son más fuertes de lo que esperamos" in html


def test_the_course_picture_prints_into_a_pdf_through_the_portals_pdf_helper(course):
    import io

    from django.template.loader import render_to_string
    from pypdf import PdfReader

    from portal.pdf import render_html_to_pdf

    patient, _visits = course
    html = render_to_string("intake/outcomes/partials/course_picture.html", series.picture_context(patient))
    pdf = render_html_to_pdf(f"<!doctype html><html><body>{html}</body></html>")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Progress over the course" in text
    # Texts that only the SVGs hold, drawn by WeasyPrint: a legend and an axis label.
    assert "Pain now (lower is better)" in text
    assert "Hours since the session" in text
