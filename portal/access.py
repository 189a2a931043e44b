"""Access gates for staff views. Every staff view goes through one of these.

Decorators check who may enter (a staff role); `get_for_staff` loads one record by its UUID and answers
404 for anything that does not exist or is not visible, so ids reveal nothing. The domain's object gates
(intake/staff/gates.py) are built on it.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from portal.roles import Role

if TYPE_CHECKING:
    from portal.models import User

# Where the patient gate (intake/journey/access.py) keeps a patient's grant in the session. The core only
# needs to know it is there: such a session gets 404 from staff pages, and a staff login drops it.
PATIENT_SESSION_KEY = "patient_access"


class AuthenticatedHttpRequest(HttpRequest):
    """The request a staff view receives once `staff_required` let it in: the user is a signed-in User."""

    user: User


def is_otp_verified(request: HttpRequest) -> bool:
    """True when this session passed the one-time code step (or the setting relaxes it for demos/tests)."""
    if not settings.STAFF_OTP_REQUIRED:
        return True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _holds_patient_access(request: HttpRequest) -> bool:
    return bool(request.session.get(PATIENT_SESSION_KEY))


def staff_required(view):
    """Only active staff with a role may enter the workspace; anonymous users go to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if _holds_patient_access(request):
                # A patient's link session or a kiosk tablet gets 404, not a login form: nothing here
                # should hint at a staff workspace behind the patient's journey.
                raise Http404
            return redirect_to_login(request.get_full_path())
        if not is_otp_verified(request):
            return redirect_to_login(request.get_full_path(), login_url=settings.OTP_LOGIN_URL)
        if not request.user.is_staff_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: Role):
    """Allow only staff holding one of the roles (the clinic admin always may)."""

    def decorator(view):
        @wraps(view)
        @staff_required
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_clinic_admin or any(user.has_role(role) for role in roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def require_clinical_detail(request: HttpRequest) -> None:
    """403 for staff who may not see health answers, session notes or consent PDFs (User.sees_clinical_detail)."""
    if not getattr(request.user, "sees_clinical_detail", False):  # anonymous: False
        raise PermissionDenied


def get_for_staff(request: HttpRequest, queryset, public_id):
    """The row with this UUID from `queryset`, for a logged-in, verified staff member; 404 otherwise.

    Unknown and malformed ids, and anyone who is not staff, all get the same 404.
    """
    if not request.user.is_authenticated or not request.user.is_staff_member or not is_otp_verified(request):
        raise Http404
    try:
        return queryset.get(pk=public_id)
    except (queryset.model.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
