"""The body map's SVG is drawn with plain numbers in every language."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_body_maps_coordinates_are_numbers_an_svg_can_read(language):
    with translation.override(language):
        svg = Template("{% load body_map %}{% body_map selected interactive=True %}").render(
            Context({"selected": ["shoulder_left"]})
        )
    coordinates = re.findall(r'\b(?:cx|cy|rx|ry|x|y|width|height)="([^"]*)"', svg)
    assert coordinates
    assert all(re.fullmatch(r"\d+(\.\d+)?", value) for value in coordinates), coordinates
