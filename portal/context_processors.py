from django.conf import settings

from portal.dates import date_hint, date_pattern


def clinic(request):
    return {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "address": settings.CLINIC_ADDRESS,
            "phone": settings.CLINIC_PHONE,
            "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
        },
        "date_hint": date_hint(),
        "date_pattern": date_pattern(),
    }
