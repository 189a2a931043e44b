"""The fixed list of body regions, shared by the screening, the visit record and aftercare.

Keys are stored; labels are shown. The chest-risk regions are those where a needle could reach the
lung (clinical.md: chest wall, upper back, neck, shoulder): they raise lung-disease review flags in
the screening and put the breathing warning first in aftercare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BODY_REGIONS: list[tuple[str, StrOrPromise]] = [
    ("head_jaw", _("Head or jaw")),
    ("neck", _("Neck")),
    ("shoulder", _("Shoulder")),
    ("upper_back", _("Upper back (between the shoulder blades)")),
    ("chest_wall", _("Chest or ribs")),
    ("arm_elbow", _("Upper arm or elbow")),
    ("forearm_hand", _("Forearm, wrist or hand")),
    ("lower_back", _("Lower back")),
    ("buttock_hip", _("Buttock or hip")),
    ("thigh", _("Thigh")),
    ("knee", _("Knee")),
    ("calf_shin", _("Calf or shin")),
    ("ankle_foot", _("Ankle or foot")),
]

REGION_KEYS: frozenset[str] = frozenset(key for key, _label in BODY_REGIONS)
CHEST_RISK_REGIONS: frozenset[str] = frozenset({"neck", "shoulder", "upper_back", "chest_wall"})


def region_label(key: str) -> str:
    return str(dict(BODY_REGIONS).get(key, key))


def touches_chest_risk_area(region_keys) -> bool:
    return bool(CHEST_RISK_REGIONS.intersection(region_keys or ()))
