"""Simulated patients, reception and clinicians for the benchmark (Locust, run headless by bench/run).

Environment (set by bench/orchestrate.py):
    BENCH_DATASET   the JSON the data generator wrote: staff accounts with TOTP keys, journey links, samples
    BENCH_ROUTES    JSON {route name: path template or null}; a scenario whose page does not exist is skipped
                    and reported "not available" instead of failing

PatientUser   one whole journey per iteration on a fresh invited visit: link, date of birth, explanation,
              screening, understanding check, signing (the PDF is rendered and sealed), their PDF copy,
              before-your-visit. Forms are read from the pages and filled the way a person would, so the
              journey follows whatever the pages ask. A "JOURNEY" entry records each whole journey.
ReceptionUser logs in (password + one-time code) once, then browses and searches the board, opens records.
ClinicianUser logs in, then works the review queue, opens records, consent details and PDFs.
PracticeSystemUser  one practice system creating visits through POST /api/v1/visits at 200 a minute
              (a new external id each time, a patient who is new or already known), with its bearer token.
BoardUserSmall, BoardUserBig   the board and its search only, against two servers at once (one per data
              size) for the growth measurement; their entries are prefixed with the number of patients.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import os
import random
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from datagen import totp_now
from locust import HttpUser, between, constant_throughput, events, task

DATASET = json.loads(Path(os.environ["BENCH_DATASET"]).read_text()) if os.environ.get("BENCH_DATASET") else {}
ROUTES: dict[str, str | None] = json.loads(os.environ.get("BENCH_ROUTES", "{}"))
JOURNEYS = iter(DATASET.get("journeys", []))
SAMPLE = DATASET.get("sample", {"patients": [], "visits": [], "consents": [], "searches": []})
ACCOUNTS = {
    role: itertools.cycle([a for a in DATASET.get("staff", []) if a["role"] == role and not a.get("reserved")] or [{}])
    for role in ("Reception", "Clinician")
}
NOT_AVAILABLE: set[str] = set()


def route(name: str, *args: str) -> str | None:
    template = ROUTES.get(name)
    if not template:
        NOT_AVAILABLE.add(name)
        return None
    for arg in args:
        template = template.replace("00000000-0000-0000-0000-000000000000", arg, 1)
    return template


def signature_data_url() -> str:
    """A small PNG of a drawn squiggle, as a signature pad would post it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(20 + x * 9, 60 + int(30 * ((-1) ** x) * (x % 5) / 5)) for x in range(40)]
    draw.line(points, fill=(20, 20, 60, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


SIGNATURE = signature_data_url()


# -- reading forms off a page -----------------------------------------------------------------------------
class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None
        self._option: dict | None = None
        self._label_for: str | None = None
        self.labels: dict[str, str] = {}
        self._label_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form["fields"].append({"tag": "input", **a, "type": a.get("type", "text").lower()})
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                self._form["fields"].append({"tag": "button", **a, "type": "submit"})
        elif tag == "select":
            self._select = {"tag": "select", **a, "options": []}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", **a, "type": "textarea", "text": ""}
            self._form["fields"].append(self._textarea)
        elif tag == "label":
            self._label_for = a.get("for")
            self._label_text = []

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data
        if self._label_for:
            self._label_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "label" and self._label_for:
            self.labels[self._label_for] = " ".join("".join(self._label_text).split()).lower()
            self._label_for = None


def forms_on(html: str) -> tuple[list[dict], dict[str, str]]:
    parser = FormParser()
    parser.feed(html)
    # Language switchers and logout buttons are forms too; the step's form is the one with most fields.
    forms = [f for f in parser.forms if f["method"] == "post" and not SKIP_FORMS.search(f["action"])]
    forms.sort(key=lambda f: -len([x for x in f["fields"] if x.get("type") not in ("hidden", "submit")]))
    return forms, parser.labels


# Forms a patient walking through the journey does not use: withdrawal, language switch, logging out.
SKIP_FORMS = re.compile(r"withdraw|logout|language|i18n|setlang|lang", re.I)
NEGATIVE = re.compile(r"^(no|none|never|false|0|not_sure|unsure)$", re.I)


def invalid_names(form: dict) -> set[str]:
    """Fields the page marked as wrong or missing (Bootstrap's is-invalid class)."""
    return {f["name"] for f in form["fields"] if f.get("name") and "is-invalid" in f.get("class", "")}


def fill(
    form: dict, labels: dict[str, str], person: dict, attempt: int, rotate: dict[str, int] | None = None
) -> dict[str, list[str]]:
    """Values a careful patient would enter. When the page asks again, `attempt` is the number of tries so
    far and `rotate` counts, per field, how often that field was marked wrong: its next choice is tried."""
    rotate = rotate or {}
    data: dict[str, list[str]] = {}
    radios: dict[str, list[dict]] = {}
    checkbox_groups: dict[str, list[dict]] = {}
    submits = []
    for field in form["fields"]:
        name = field.get("name")
        kind = field.get("type")
        if kind == "submit":
            submits.append(field)
            continue
        if not name or "disabled" in field:
            continue
        lname = name.lower()
        if kind == "hidden":
            if "signature" in lname and not field.get("value"):
                data[name] = [SIGNATURE]
            else:
                data.setdefault(name, []).append(field.get("value", ""))
        elif kind == "radio":
            radios.setdefault(name, []).append(field)
        elif kind == "checkbox":
            checkbox_groups.setdefault(name, []).append(field)
        elif kind == "select":
            options = [o for o in field["options"] if o.get("value")]
            if options:
                data[name] = [options[attempt % len(options)]["value"]]
        elif kind == "textarea":
            data[name] = ["Nothing else to add." if "required" in field or attempt else ""]
        elif kind in ("date",) or "birth" in lname or "dob" in lname:
            data[name] = [person.get("dob", "1980-01-01")]
        elif kind == "number" or kind == "range":
            low = int(float(field.get("min") or 0))
            high = int(float(field.get("max") or 10))
            data[name] = [str(min(high, max(low, 3)))]
        elif kind == "email" or "email" in lname:
            data[name] = [field.get("value") or "patient@example.com"]
        elif kind == "tel" or "phone" in lname:
            data[name] = [field.get("value") or "+1 202 555 0143"]  # valid in any region (E.164)
        elif "relationship" in lname:
            data[name] = [field.get("value") or "Parent"]
        elif "name" in lname:
            data[name] = [field.get("value") or person.get("name", "Journey Patient")]
        else:
            data[name] = [field.get("value") or ("3" if "how" in lname else "Some stiffness after work.")]
    for name, options in radios.items():
        if name in rotate:
            data[name] = [options[rotate[name] % len(options)].get("value", "on")]
            continue
        checked = [o for o in options if "checked" in o]
        negatives = [o for o in options if NEGATIVE.match(o.get("value", ""))]
        pick = (checked or negatives or options)[0]
        data[name] = [pick.get("value", "on")]
    for name, boxes in checkbox_groups.items():
        if len(boxes) == 1:  # one statement to tick: tick it when it is required or was marked missing
            if "required" in boxes[0] or name in rotate:
                data[name] = [boxes[0].get("value", "on")]
        else:  # a multiple choice, such as body regions: pick one (more if the page asked again)
            negatives = [b for b in boxes if NEGATIVE.match(b.get("value", ""))]
            chosen = negatives[:1] if negatives and name not in rotate else boxes[: 1 + rotate.get(name, 0)]
            data[name] = [b.get("value", "on") for b in chosen]
    if submits:
        named = [s for s in submits if s.get("name")]
        forward = [s for s in named if not re.search(r"back|prev|save_exit|later|withdraw", s.get("value", ""), re.I)]
        pick = (forward or named)[:1]
        for button in pick:
            data[button["name"]] = [button.get("value", "")]
    return data


# -- users ------------------------------------------------------------------------------------------------
class PortalUser(HttpUser):
    abstract = True

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post_form(self, url: str, data: dict, name: str, referer: str | None = None):
        payload = {**data}
        payload.setdefault("csrfmiddlewaretoken", [self.csrf()])
        headers = {"Referer": urljoin(self.host, referer or url)}
        return self.client.post(url, data=payload, name=name, headers=headers, allow_redirects=False)

    def get(self, url: str, name: str, **kwargs):
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()
            return response


class StaffUser(PortalUser):
    abstract = True
    role = "Reception"

    def next_account(self) -> dict:
        return next(ACCOUNTS[self.role])

    def on_start(self):
        self.logged_in = False
        account = self.next_account()
        prefix = getattr(self, "prefix", "")
        if not account:
            return
        self.client.get("/accounts/login/", name=prefix + "staff: login page")
        response = self.post_form(
            "/accounts/login/",
            {"username": [account["username"]], "password": [account["password"]], "next": ["/staff/"]},
            name=prefix + "staff: log in",
        )
        location = response.headers.get("Location", "")
        if "/otp" in location:
            if not account.get("totp_key"):
                return
            code = {"code": [totp_now(account["totp_key"])]}
            response = self.post_form(location, code, name=prefix + "staff: one-time code")
        self.logged_in = response.status_code == 302


class ReceptionUser(StaffUser):
    weight = 2
    role = "Reception"
    wait_time = between(1, 3)

    @task(4)
    def board(self):
        if self.logged_in:
            self.get(route("staff:board"), name="staff: board")

    @task(1)
    def board_page(self):
        if self.logged_in:
            self.get(route("staff:board") + f"?page={random.randint(2, 5)}", name="staff: board, later page")

    @task(3)
    def search_name(self):
        if self.logged_in and SAMPLE["searches"]:
            query = random.choice(SAMPLE["searches"])["name"]
            self.get(route("staff:board"), params={"q": query}, name="staff: search by name")

    @task(1)
    def search_dob(self):
        if self.logged_in and SAMPLE["searches"]:
            self.get(
                route("staff:board"),
                params={"q": random.choice(SAMPLE["searches"])["dob"]},
                name="staff: search by date of birth",
            )

    @task(1)
    def search_phone(self):
        if self.logged_in and SAMPLE["searches"]:
            self.get(
                route("staff:board"),
                params={"q": random.choice(SAMPLE["searches"])["phone"]},
                name="staff: search by phone",
            )

    @task(2)
    def patient_record(self):
        path = route("staff:patient", random.choice(SAMPLE["patients"])) if SAMPLE["patients"] else None
        if self.logged_in and path:
            self.get(path, name="staff: patient record")


class ClinicianUser(StaffUser):
    weight = 1
    role = "Clinician"
    wait_time = between(1, 3)

    @task(2)
    def review_queue(self):
        path = route("staff:review")
        if self.logged_in and path:
            self.get(path, name="staff: review queue")

    @task(2)
    def patient_record(self):
        path = route("staff:patient", random.choice(SAMPLE["patients"])) if SAMPLE["patients"] else None
        if self.logged_in and path:
            self.get(path, name="staff: patient record")

    @task(1)
    def visit_review(self):
        path = route("staff:visit_review", random.choice(SAMPLE["visits"])) if SAMPLE["visits"] else None
        if self.logged_in and path:
            self.get(path, name="staff: visit review")

    @task(1)
    def consent_detail(self):
        path = route("consent_staff:detail", random.choice(SAMPLE["consents"])) if SAMPLE["consents"] else None
        if self.logged_in and path:
            self.get(path, name="staff: consent detail")

    @task(2)
    def consent_pdf(self):
        path = route("consent_staff:pdf", random.choice(SAMPLE["consents"])) if SAMPLE["consents"] else None
        if self.logged_in and path:
            self.get(path, name="staff: consent PDF")

    @task(1)
    def outcomes_page(self):
        path = route("staff:outcomes")
        if self.logged_in and path:
            self.get(path, name="staff: outcomes page")


def _load(name: str) -> dict:
    return json.loads(Path(os.environ[name]).read_text()) if os.environ.get(name) else {}


# The growth measurement: two servers, one per data size, loaded at the same time by the same kind of
# user, so both sizes see the same machine (on a shared machine, running them one after the other
# would compare two different moments more than two data sizes).
GROWTH = {key: _load(f"BENCH_DATASET_{key.upper()}") for key in ("small", "big")}
GROWTH_ACCOUNTS = {
    key: itertools.cycle(
        [a for a in data.get("staff", []) if a["role"] == "Reception" and not a.get("reserved")] or [{}]
    )
    for key, data in GROWTH.items()
}


class BoardUser(StaffUser):
    """The board and its search, nothing else: `size` picks the server and data set, and prefixes names."""

    abstract = True
    size = "small"
    role = "Reception"
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.sample = GROWTH[self.size].get("sample", {"searches": []})
        self.prefix = f"{GROWTH[self.size].get('patients', 0)} | "
        self.account = next(GROWTH_ACCOUNTS[self.size])
        super().on_start()

    def next_account(self) -> dict:
        return self.account

    @task(3)
    def board(self):
        if self.logged_in:
            self.get(route("staff:board"), name=self.prefix + "staff: board")

    @task(3)
    def search_name(self):
        if self.logged_in and self.sample["searches"]:
            query = random.choice(self.sample["searches"])["name"]
            self.get(route("staff:board"), params={"q": query}, name=self.prefix + "staff: search by name")

    @task(1)
    def search_dob(self):
        if self.logged_in and self.sample["searches"]:
            query = random.choice(self.sample["searches"])["dob"]
            self.get(route("staff:board"), params={"q": query}, name=self.prefix + "staff: search by date of birth")


class BoardUserSmall(BoardUser):
    size = "small"
    host = os.environ.get("BENCH_HOST_SMALL", "")


class BoardUserBig(BoardUser):
    size = "big"
    host = os.environ.get("BENCH_HOST_BIG", "")


# Patients arrive independently. Started together, the simulated patients stayed in step for the whole run
# (the random pauses drift by about a second a journey): every 18 s all of them signed within the same few
# seconds, a burst no clinic sees. Each one's first journey starts at a random moment within one journey.
JOURNEY_SPREAD_S = float(os.environ.get("BENCH_JOURNEY_SPREAD", "16"))


class PatientUser(PortalUser):
    weight = 3
    wait_time = between(1, 3)
    think = (0.3, 1.2)  # seconds between pages inside a journey

    def on_start(self):
        time.sleep(random.uniform(0, JOURNEY_SPREAD_S))

    def pause(self):
        time.sleep(random.uniform(*self.think))

    def step(self, route_name: str, label: str, *, max_forms: int = 12, done: str = "") -> bool:
        """Open a step's page and answer its forms until the journey moves on. False when stuck."""
        start = route(route_name)
        if start is None:
            return True  # not built yet: skip, reported as not available
        response = self.get(start, name=f"patient: {label}")
        if response.status_code != 200:
            return False
        url = start
        prefix = urlsplit(start).path
        attempt = 0
        rotate: dict[str, int] = {}
        for _ in range(max_forms):
            forms, labels = forms_on(response.text)
            if not forms:
                return True
            form = forms[0]
            action = urljoin(url, form["action"]) if form["action"] else url
            self.pause()
            data = fill(form, labels, self.person, attempt, rotate)
            sent = self.post_form(action, data, name=f"patient: {label} (submit)", referer=url)
            if sent.status_code in (301, 302, 303):
                target = urljoin(url, sent.headers.get("Location", ""))
                path = urlsplit(target).path
                if not path.startswith(prefix) or (done and done in path):
                    return True
                url = target
                attempt = 0
                rotate = {}
                response = self.get(url, name=f"patient: {label}")
            elif sent.status_code == 200:
                # The page asked again (a wrong answer or a missing field): change what it marked.
                attempt += 1
                response = sent
                again, _labels = forms_on(sent.text)
                for name in invalid_names(again[0]) if again else ():
                    rotate[name] = rotate.get(name, 0) + 1
            else:
                return False
        return False

    @task
    def journey(self):
        journey = next(JOURNEYS, None)
        if journey is None:
            time.sleep(1)
            return
        self.client.cookies.clear()
        self.person = {"dob": journey["dob"], "name": journey.get("name", "Journey Patient")}
        started = time.perf_counter()
        ok, stuck = self.walk(journey)
        events.request.fire(
            request_type="JOURNEY",
            name="whole patient journey" + ("" if ok else f" (stuck at {stuck})"),
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None if ok else RuntimeError(f"stuck at {stuck}"),
            context={},
        )

    def walk(self, journey: dict) -> tuple[bool, str]:
        entry = f"/p/{journey['token']}/"
        response = self.get(entry, name="patient: link (date-of-birth form)")
        if response.status_code != 200:
            return False, "link"
        self.pause()
        sent = self.post_form(entry, {"date_of_birth": [journey["dob"]]}, name="patient: confirm date of birth")
        if sent.status_code != 302:
            return False, "date of birth"
        self.get(route("journey:progress") or "/patient/", name="patient: progress page")
        steps = [
            ("journey:explanation", "explanation"),
            ("journey:screening", "screening"),
            ("journey:understanding", "understanding check"),
            ("consent:sign", "consent and signing"),
        ]
        for route_name, label in steps:
            self.pause()
            if not self.step(route_name, label, done="/signed" if route_name == "consent:sign" else ""):
                return False, label
        if route("consent:pdf"):
            response = self.get(route("consent:pdf"), name="patient: their consent PDF")
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                return False, "consent PDF"
        if route("journey:before-visit"):
            self.get(route("journey:before-visit"), name="patient: before your visit")
        return True, ""


# Figures start a few seconds after every user has started (BENCH_RESET_AFTER), so the staff logins
# (each a deliberately slow password hash) and the first requests are not counted with the steady load.
# The moments the figures start and stop go to BENCH_WINDOW, so rates are per the real measured seconds
# (the users take a few seconds to start, which "duration minus settle" did not count).
@events.spawning_complete.add_listener
def reset_after_logins(user_count, **kwargs):
    import gevent

    delay = float(os.environ.get("BENCH_RESET_AFTER", "0"))
    if delay > 0 and _ENVIRONMENT:
        gevent.spawn_later(delay, _start_figures, _ENVIRONMENT[0])
    else:
        _write_window(started=time.time())


def _start_figures(environment) -> None:
    environment.runner.stats.reset_all()
    _write_window(started=time.time())


def _write_window(**moments: float) -> None:
    out = os.environ.get("BENCH_WINDOW")
    if out:
        window = json.loads(Path(out).read_text()) if Path(out).exists() else {}
        Path(out).write_text(json.dumps({**window, **moments}))


_ENVIRONMENT: list = []


@events.init.add_listener
def remember_environment(environment, **kwargs):
    _ENVIRONMENT.append(environment)


@events.test_stopping.add_listener  # the run time is up (journeys under way may still finish afterwards)
def stop_figures(environment, **kwargs):
    _write_window(stopped=time.time())


@events.quitting.add_listener
def report_not_available(environment, **kwargs):
    out = os.environ.get("BENCH_NOT_AVAILABLE")
    if out:
        Path(out).write_text(json.dumps(sorted(NOT_AVAILABLE)))


class PracticeSystemUser(HttpUser):
    """The practice system's feed: 200 visit creations a minute through the integration API."""

    # Four connections at 50 a minute each: a slow answer (up to 1.2 s) does not hold the feed back.
    fixed_count = 4
    wait_time = constant_throughput(50 / 60)
    counter = itertools.count(1)

    @task
    def create_visit(self):
        token = DATASET.get("api_token")
        if not token:
            return
        number = next(self.counter)
        when = time.strftime("%Y-%m-%dT09:00:00+00:00", time.gmtime(time.time() + 86400 * random.randint(1, 30)))
        body = {
            "external_id": f"bench-{os.getpid()}-{number}",
            "patient": {
                "first_name": f"Api{number % 500}",
                "last_name": "Bench",
                "date_of_birth": f"19{50 + number % 50}-0{1 + number % 9}-1{number % 9}",
            },
            "scheduled_at": when,
        }
        with self.client.post(
            "/api/v1/visits",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            name="api: create visit",
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 201):
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()
