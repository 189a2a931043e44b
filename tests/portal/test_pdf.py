import pytest
from pypdf import PdfReader

from portal.pdf import PDF_BASE_URL, RefusedURL, StaticOnlyURLFetcher, render_html_to_pdf


def _text(pdf: bytes) -> str:
    import io

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_it_fetches_the_portals_own_static_files():
    response = StaticOnlyURLFetcher().fetch(PDF_BASE_URL + "static/css/portal.css")
    assert b"container-narrow" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.png",
        PDF_BASE_URL + "static/../portal/settings.py",
        PDF_BASE_URL + "static/%2e%2e/portal/settings.py",
        PDF_BASE_URL + "etc/passwd",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_it_refuses_everything_else(url):
    with pytest.raises(RefusedURL):
        StaticOnlyURLFetcher().fetch(url)


def test_a_pdf_with_a_hostile_image_still_renders_without_fetching_it():
    pdf = render_html_to_pdf('<p>Hello Zoë</p><img src="file:///etc/passwd"><img src="http://10.0.0.1/x">')
    assert "Hello Zoë" in _text(pdf)


def _font_names(pdf: bytes) -> set[str]:
    import io

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_the_kept_font_configuration_carries_nothing_from_one_pdf_to_the_next():
    """render_html_to_pdf keeps one font configuration per thread; each PDF still embeds only its own fonts."""
    latin = render_html_to_pdf("<p>Hello Zoë</p>")
    mixed = render_html_to_pdf("<p>Hello 山田 花子 and مريم</p>")
    latin_again = render_html_to_pdf("<p>Hello Zoë</p>")
    assert "山田 花子" in _text(mixed)
    assert _font_names(mixed) > _font_names(latin)
    assert _font_names(latin_again) == _font_names(latin)
    assert "Hello Zoë" in _text(latin_again)
