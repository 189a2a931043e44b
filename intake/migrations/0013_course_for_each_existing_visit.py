"""Every visit made before courses existed gets a course of its own (one visit, one course).

The course takes the visit's patient, clinician, creation time and the main complaint the patient
typed in its screening (if any). Reversing only unlinks the visits; the courses are removed with them.
"""

from django.db import migrations

BATCH = 500


def give_each_visit_a_course(apps, schema_editor):
    Course = apps.get_model("intake", "Course")
    Visit = apps.get_model("intake", "Visit")
    ScreeningResponse = apps.get_model("intake", "ScreeningResponse")
    pending = Visit.objects.filter(course__isnull=True).order_by("created_at", "id")
    while True:
        visits = list(pending[:BATCH])
        if not visits:
            break
        complaints = dict(
            ScreeningResponse.objects.filter(visit__in=visits).values_list("visit_id", "answers__main_complaint")
        )
        courses = [
            Course(
                patient_id=visit.patient_id,
                lead_clinician_id=visit.clinician_id,
                opened_at=visit.created_at,
                complaint=str(complaints.get(visit.id) or "")[:200],
            )
            for visit in visits
        ]
        Course.objects.bulk_create(courses)
        for visit, course in zip(visits, courses, strict=True):
            visit.course_id = course.id
        Visit.objects.bulk_update(visits, ["course"])


def unlink_courses(apps, schema_editor):
    Visit = apps.get_model("intake", "Visit")
    Course = apps.get_model("intake", "Course")
    Visit.objects.update(course=None)
    Course.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0012_course_and_visit_course_nullable")]

    operations = [migrations.RunPython(give_each_visit_a_course, unlink_courses)]
