"""Quarter-end rush: reporters log in and submit their figures; office users approve them.

Run by ``bench/load/run_rush.py``, which creates the accounts and writes the manifest this
file reads (``RUSH_MANIFEST``): each ``Reporter`` takes the next reporter account, logs in
through the login form (CSRF), opens the due list, enters each of its figures — alternately
through the entry form (one indicator's page, "提交审核") and the API (``POST
/api/v1/observations/`` then ``…/submit/``) — with a think time between figures, then looks
at its figures and one figure's history, and afterwards re-opens the due list now and then.
Each ``Approver`` (an office account) logs in with its password and then its TOTP code
(computed from the key in the manifest, as its authenticator would) and approves the
submitted figures of its share of ids, which makes the Celery worker recompute progress.

Every figure the server acknowledged (a 302 back to the entry page, or the API's
``status: submitted``) and every approval is appended to ``RUSH_ACK_DIR`` as JSON lines;
the runner compares them with the database afterwards.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django_otp.oath import TOTP
from locust import HttpUser, between, events, task
from locust.exception import StopUser

MANIFEST = json.loads(Path(os.environ["RUSH_MANIFEST"]).read_text(encoding="utf-8"))
ACK_DIR = Path(os.environ["RUSH_ACK_DIR"])
THINK = (float(os.environ.get("RUSH_THINK_MIN", "1")), float(os.environ.get("RUSH_THINK_MAX", "3")))
IDLE = (float(os.environ.get("RUSH_IDLE_MIN", "10")), float(os.environ.get("RUSH_IDLE_MAX", "20")))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMITTED = "已提交审核"
APPROVED = "已审核通过"

_reporters = iter(MANIFEST["reporters"])
_approvers = iter(MANIFEST["approvers"])
ACK_DIR.mkdir(parents=True, exist_ok=True)
_ack_file = (ACK_DIR / f"acks-{os.getpid()}.jsonl").open("a", encoding="utf-8")


_timings = (ACK_DIR / f"requests-{os.getpid()}.csv").open("a", encoding="utf-8")


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **kw: Any) -> None:
    """Every request's start and duration, for the steady-state percentiles of the runner."""
    start = kw.get("start_time") or time.time() - response_time / 1000
    _timings.write(f"{start:.3f},{name},{response_time:.1f},{int(exception is not None)}\n")


@events.quitting.add_listener
def _flush(**kw: Any) -> None:
    _timings.flush()
    _ack_file.flush()


def acknowledge(kind: str, **data: Any) -> None:
    _ack_file.write(json.dumps({"kind": kind, **data}, ensure_ascii=False) + "\n")
    _ack_file.flush()


def period_slug(figure: dict[str, Any]) -> str:
    quarter = figure["quarter"]
    return f"{figure['year']}Q{quarter}" if quarter else str(figure["year"])


class Account(HttpUser):
    abstract = True
    wait_time = between(*IDLE)  # once the scripted work is done

    def send_form(self, path: str, fields: dict[str, str], *, name: str, refused: str) -> None:
        """GET the form for its CSRF token, POST it, and stop this user unless redirected."""
        page = self.client.get(path, name=f"{name} page")
        match = CSRF_INPUT.search(page.text)
        with self.client.post(
            path,
            data={**fields, "csrfmiddlewaretoken": match.group(1) if match else ""},
            headers={"Referer": page.url},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{refused} ({response.status_code})")
                raise StopUser()

    def log_in(self, username: str) -> None:
        self.send_form("/accounts/login/",
                       {"username": username, "password": MANIFEST["password"]},
                       name="login", refused=f"login of {username} not accepted")

    def give_second_factor(self, username: str, key: str) -> None:
        """The office's TOTP code after the password (each approver logs in once: fresh code)."""
        self.send_form("/accounts/otp/verify/",
                       {"otp_token": f"{TOTP(bytes.fromhex(key)).token():06d}"},
                       name="otp", refused=f"second factor of {username} refused")

    def think(self) -> None:
        time.sleep(random.uniform(*THINK))  # gevent-patched: yields to the other users

    def api_headers(self) -> dict[str, str]:
        return {
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": self.host + "/entry/",
        }


class Reporter(Account):
    """One department's reporter: log in, due list, enter and submit each figure, history."""

    weight = 100

    def on_start(self) -> None:
        try:
            self.account = next(_reporters)
        except StopIteration:
            raise StopUser() from None  # more users than accounts
        self.next = 0  # index of the next figure: a task that raised resumes there
        self.done = False
        self.log_in(self.account["username"])

    @task
    def work(self) -> None:
        if self.done:
            self.client.get("/entry/", name="due list")
            return
        self.client.get("/entry/", name="due list")
        figures = self.account["figures"]
        while self.next < len(figures):
            figure = figures[self.next]
            self.next += 1
            self.think()
            if figure["via"] == "form":
                self.enter_by_form(figure)
            else:
                self.enter_by_api(figure)
        self.think()
        mine = self.client.get("/api/v1/observations/?mine=1", name="api my figures")
        results = mine.json().get("results", []) if mine.ok else []
        if results:
            pk = results[0]["id"]
            self.client.get(f"/entry/observations/{pk}/", name="figure history")
        self.done = True

    def enter_by_form(self, figure: dict[str, Any]) -> None:
        path = f"/entry/period/{period_slug(figure)}/{figure['code']}/"
        with self.client.get(path, name="entry form", catch_response=True) as page:
            match = CSRF_INPUT.search(page.text)
            field = f"value_{figure['indicator_id']}"
            if not match or f'name="{field}"' not in page.text:
                page.failure(f"entry form of {figure['code']} lacks its field")
                return
        pk = figure["indicator_id"]
        with self.client.post(
            path,
            data={
                "csrfmiddlewaretoken": match.group(1),
                f"value_{pk}": figure["value"],
                f"evidence_{pk}": "压测",
                f"confirm_{pk}": "on",
                "submit": "1",
            },
            headers={"Referer": self.host + path},
            name="entry submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            back = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != 302 or back != path:
                response.failure(
                    f"entry of {figure['code']} refused ({response.status_code} → {back})"
                )
                return
            acknowledge("figure", **figure)
        with self.client.get(path, name="entry form (after submit)", catch_response=True) as page:
            if SUBMITTED not in page.text:
                page.failure("no confirmation message after submit")

    def enter_by_api(self, figure: dict[str, Any]) -> None:
        body = {
            "indicator": figure["code"],
            "year": figure["year"],
            "quarter": figure["quarter"],
            "value": figure["value"],
            "evidence": "压测",
            "confirm_jump": True,
        }
        with self.client.post(
            "/api/v1/observations/",
            json=body,
            headers=self.api_headers(),
            name="api create",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(
                    f"create {figure['code']}: {response.status_code} {response.text[:200]}"
                )
                return
            pk = response.json()["id"]
        with self.client.post(
            f"/api/v1/observations/{pk}/submit/",
            headers=self.api_headers(),
            name="api submit",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or response.json().get("status") != "submitted":
                response.failure(f"submit {pk}: {response.status_code} {response.text[:200]}")
                return
            acknowledge("figure", **figure)


class Approver(Account):
    """An office account approving the submitted figures whose id falls in its share."""

    weight = 1
    fixed_count = int(os.environ.get("RUSH_APPROVERS", "0"))

    def on_start(self) -> None:
        try:
            self.account = next(_approvers)
        except StopIteration:
            raise StopUser() from None
        self.log_in(self.account["username"])
        self.give_second_factor(self.account["username"], self.account["totp_key"])

    @task
    def approve_some(self) -> None:
        self.client.get("/entry/approvals/", name="approvals list")
        listing = self.client.get(
            "/api/v1/observations/?mine=1&status=submitted", name="api submitted figures"
        )
        if not listing.ok:
            return
        share = [
            row
            for row in listing.json().get("results", [])
            if row["id"] % self.account["of"] == self.account["slot"]
        ]
        for row in share[:10]:
            self.think()
            self.approve(row["id"])

    def approve(self, pk: int) -> None:
        path = f"/entry/observations/{pk}/"
        page = self.client.get(path, name="figure history")
        match = CSRF_INPUT.search(page.text)
        version = re.search(r'name="version" value="(\d+)"', page.text)
        if not (match and version):
            return  # no approve form (already approved by now)
        with self.client.post(
            f"{path}approve/",
            data={"csrfmiddlewaretoken": match.group(1), "version": version.group(1)},
            headers={"Referer": self.host + path},
            name="approve",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            back = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != 302 or back != path:
                response.failure(f"approve {pk}: {response.status_code} → {back}")
                return
        with self.client.get(path, name="figure history", catch_response=True) as after:
            if APPROVED in after.text:
                acknowledge("approval", id=pk)
            else:
                after.failure(f"approval of {pk} not confirmed")
