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


# The body map: the same regions drawn on a front and a back figure (x, y, width, height in a 240 x 200
# box plus a caption line; "round" shapes are ellipses). Two shapes may share a region (left and right; front and back).
# Tapping any of them toggles that region's checkbox, which stays the no-script and screen-reader path.
_FRONT, _BACK = 0, 120
BODY_MAP_OUTLINE: list[tuple[int, int, int, int, bool]] = [
    (x + dx, y, w, h, rnd)
    for dx in (_FRONT, _BACK)
    for x, y, w, h, rnd in [(48, 4, 24, 28, True), (44, 70, 32, 34, False)]
]


def _pair(key, left, right_x, y, w, h, rnd=False):
    return [(key, left, y, w, h, rnd), (key, right_x, y, w, h, rnd)]


BODY_MAP_SHAPES: list[tuple[str, int, int, int, int, bool]] = [
    # front
    ("head_jaw", 48, 4, 24, 28, True),
    ("neck", 53, 32, 14, 9, False),
    *_pair("shoulder", 29, 73, 40, 18, 14, True),
    ("chest_wall", 44, 42, 32, 28, False),
    *_pair("arm_elbow", 27, 81, 55, 12, 30, False),
    *_pair("forearm_hand", 23, 85, 86, 12, 34, False),
    *_pair("buttock_hip", 42, 62, 100, 16, 12, False),
    *_pair("thigh", 44, 61, 112, 15, 28, False),
    *_pair("knee", 44, 61, 141, 15, 12, True),
    *_pair("calf_shin", 45, 61, 154, 14, 28, False),
    *_pair("ankle_foot", 43, 61, 183, 16, 12, False),
    # back
    ("neck", 173, 32, 14, 9, False),
    *_pair("shoulder", 149, 193, 40, 18, 14, True),
    ("upper_back", 164, 42, 32, 26, False),
    ("lower_back", 164, 69, 32, 20, False),
    ("buttock_hip", 164, 90, 32, 20, False),
    *_pair("arm_elbow", 147, 201, 55, 12, 30, False),
    *_pair("forearm_hand", 143, 205, 86, 12, 34, False),
    *_pair("thigh", 164, 181, 112, 15, 28, False),
    *_pair("knee", 164, 181, 141, 15, 12, True),
    *_pair("calf_shin", 165, 181, 154, 14, 28, False),
    *_pair("ankle_foot", 163, 181, 183, 16, 12, False),
]
