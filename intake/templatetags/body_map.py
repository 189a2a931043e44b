"""{% body_map selected interactive %}: the front and back figure with the body regions (intake/regions.py)."""

from __future__ import annotations

from django import template

from intake.regions import BODY_MAP_SHAPES, CHEST_RISK_REGIONS, region_label

register = template.Library()


@register.inclusion_tag("partials/body_map.html")
def body_map(selected=(), interactive: bool = False) -> dict:
    chosen = set(selected or ())
    shapes = [
        {
            "key": key,
            "label": region_label(key),
            "x": x,
            "y": y,
            "w": w,
            "h": h,
            "cx": x + w / 2,
            "cy": y + h / 2,
            "rx": w / 2,
            "ry": h / 2,
            "round": rnd,
            "on": key in chosen,
            "lung": key in CHEST_RISK_REGIONS,
        }
        for key, x, y, w, h, rnd in BODY_MAP_SHAPES
    ]
    return {"shapes": shapes, "interactive": interactive}
