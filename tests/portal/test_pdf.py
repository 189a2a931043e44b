import os
import signal
import sys
import threading

import pytest
from pypdf import PdfReader

from portal import pdf as portal_pdf
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
    """render_html_to_pdf keeps one font configuration per process; each PDF still embeds only its own fonts."""
    latin = render_html_to_pdf("<p>Hello Zoë</p>")
    mixed = render_html_to_pdf("<p>Hello 山田 花子 and مريم</p>")
    latin_again = render_html_to_pdf("<p>Hello Zoë</p>")
    assert "山田 花子" in _text(mixed)
    assert _font_names(mixed) > _font_names(latin)
    assert _font_names(latin_again) == _font_names(latin)
    assert "Hello Zoë" in _text(latin_again)


def _thread_and_niceness() -> tuple[int, int]:
    thread = threading.get_native_id()
    return thread, os.getpriority(os.PRIO_PROCESS, thread)


@pytest.fixture
def where_pdfs_are_drawn(monkeypatch):
    """The thread and nice value of each PDF drawn during the test, in order."""
    seen: list[tuple[int, int]] = []
    write = portal_pdf._write_pdf

    def noting_the_thread(*args, **kwargs):
        seen.append(_thread_and_niceness())
        return write(*args, **kwargs)

    monkeypatch.setattr(portal_pdf, "_write_pdf", noting_the_thread)
    return seen


@pytest.fixture
def a_new_render_thread():
    """The next PDF starts a new render thread (made with the test's settings); a fresh one after the test."""
    portal_pdf._forget_the_render_thread()
    yield
    portal_pdf._forget_the_render_thread()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_pdfs_are_drawn_on_one_thread_below_the_requests_priority(where_pdfs_are_drawn, settings, a_new_render_thread):
    settings.PDF_RENDER_NICENESS = 5
    caller, caller_niceness = _thread_and_niceness()
    first = render_html_to_pdf("<p>One</p>")
    second = render_html_to_pdf("<p>Two</p>")
    assert "One" in _text(first) and "Two" in _text(second)
    (thread, niceness), (thread_again, _) = where_pdfs_are_drawn
    assert thread != caller and thread_again == thread  # the same thread keeps the font configuration
    assert niceness == min(caller_niceness + 5, 19)
    assert _thread_and_niceness() == (caller, caller_niceness)  # the request itself keeps its priority


def test_with_niceness_zero_pdfs_keep_the_requests_priority(where_pdfs_are_drawn, settings, a_new_render_thread):
    settings.PDF_RENDER_NICENESS = 0
    render_html_to_pdf("<p>One</p>")
    [(_thread, niceness)] = where_pdfs_are_drawn
    assert niceness == _thread_and_niceness()[1]


def test_an_error_while_drawing_reaches_the_caller(monkeypatch):
    def broken(*args, **kwargs):
        raise RefusedURL("refused")

    monkeypatch.setattr(portal_pdf, "_write_pdf", broken)
    with pytest.raises(RefusedURL):
        render_html_to_pdf("<p>x</p>")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_draws_pdfs_on_a_thread_of_its_own():
    """A gunicorn master renders a PDF before forking (its warm-up); its render thread does not exist in the
    workers. A worker that reused it would wait for ever: the child gives itself 60 s, then fails."""
    render_html_to_pdf("<p>In the master</p>")
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, reported by its exit code
        signal.alarm(60)
        try:
            drawn = render_html_to_pdf("<p>In a worker</p>")
            os._exit(0 if "In a worker" in _text(drawn) else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
