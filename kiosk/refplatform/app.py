"""The reference platform as a Flask app: every operation of `kiosk/api/openapi.yaml` over SQLite.

Each request passes, in order: routing (unknown path 404, wrong method 405), the body size
limit (413), the kiosk credential (401) and the contract (400/415), then its handler, which
refuses with 404/409/422 problems. Everything that goes wrong answers
`application/problem+json`; an unexpected exception answers 500 `internal_error` and is logged
by type only, since its message might quote a citizen's data.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from kiosk.refplatform import (appointments, applications, auth, catalogue,
                               certificate_records, certificates, evaluations, payments,
                               terminals)
from kiosk.refplatform.fleet_files import serve_fleet_repository
from kiosk.refplatform.contract import (PROBLEM_TYPE, Contract, ContractViolation,
                                       default_contract)
from kiosk.refplatform.idempotency import REPLAYED_HEADER, fingerprint, run_once
from kiosk.refplatform.ids import CST, Clock, check_id_number, system_clock
from kiosk.refplatform.problems import Problem
from kiosk.refplatform.store import Store

log = logging.getLogger(__name__)
BASE = "/api/v1"
MAX_BODY = 32 * 1024 * 1024
REALM = 'Basic realm="govkiosk platform", charset="UTF-8"'


@dataclass
class Platform:
    """What the routes share; `app.extensions["refplatform"]`."""

    store: Store
    clock: Clock
    contract: Contract
    validate_responses: bool
    public_url: str | None
    violations: list[str] = field(default_factory=list)
    public_ops: set[str] = field(default_factory=set)

    def now(self) -> dt.datetime:
        return self.clock().astimezone(CST)


def default_seed() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The demo catalogue and citizens from `kiosk.refplatform.seed`, if that package exists."""
    try:
        from kiosk.refplatform import seed  # type: ignore[attr-defined]
    except ImportError:
        return [], {}
    return list(seed.load_services()), dict(seed.load_citizens())


def _version() -> str:
    try:
        return metadata.version("govkiosk")
    except metadata.PackageNotFoundError:
        return "0"


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(problem.document(), ensure_ascii=False),
                        status=problem.status, mimetype=PROBLEM_TYPE)
    if problem.status == 401:
        response.headers["WWW-Authenticate"] = REALM
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json")


def create_app(db_path: str | Path, *, validate_responses: bool = False,
               clock: Clock | None = None, public_url: str | None = None,
               max_body: int = MAX_BODY, fleet_dir: str | Path | None = None) -> Flask:
    """The app over the database at `db_path` (made and migrated if new; seeded if empty).

    `validate_responses`: hold every answer to the contract and answer 500 (recording the
    violation in `platform.violations`) when it breaks it; for tests. `clock`: a callable
    returning an aware datetime (tests move time). `public_url`: the base written into
    verification QR codes (default: the URL the request came in on). `fleet_dir`: a fleet
    repository's public directory, served as static signed files at /fleet/ (outside the
    API's credential checks on purpose: TUF trusts the signatures, not the transport).
    """
    store = Store(db_path)
    if not store.has_catalogue():
        services, citizens = default_seed()
        if services or citizens:
            store.seed(services, citizens)
    platform = Platform(store, clock or system_clock, default_contract(), validate_responses,
                        public_url)
    app = Flask("kiosk.refplatform")
    app.config["MAX_CONTENT_LENGTH"] = max_body + 1
    app.extensions["refplatform"] = platform
    _install_guards(app, platform, max_body)
    _install_routes(app, platform)
    if fleet_dir:
        app.wsgi_app = serve_fleet_repository(app.wsgi_app, fleet_dir)  # type: ignore[method-assign]
    return app


def _install_guards(app: Flask, platform: Platform, max_body: int) -> None:
    @app.before_request
    def guard() -> None:
        if request.routing_exception is not None or request.url_rule is None:
            return  # Flask raises it next: 404 / 405 below
        # The document decides, not Flask: HEAD is added to every GET route by werkzeug, and
        # `/applications/query` would otherwise route GET to getApplication.
        if request.method not in platform.contract.allowed_methods(request.path[len(BASE):]):
            raise MethodNotAllowed()
        if request.content_length is not None and request.content_length > max_body:
            raise Problem(413, "too_large", f"the platform takes bodies up to {max_body} bytes")
        if request.url_rule.endpoint not in platform.public_ops:
            kiosk_id = auth.authenticate(platform.store, request.headers.get("Authorization"))
            if kiosk_id is None:
                raise Problem(401, "unauthorized", "unknown kiosk or wrong credential")
            g.kiosk_id = kiosk_id
        # A chunked body has no length to check first; werkzeug cuts it at MAX_CONTENT_LENGTH
        # (set one byte above the limit) without a word, so the length read says it all.
        if len(request.get_data()) > max_body:
            raise Problem(413, "too_large", f"the platform takes bodies up to {max_body} bytes")
        platform.contract.check_request(request)

    @app.errorhandler(Problem)
    def on_problem(problem: Problem) -> Response:
        return problem_response(problem)

    @app.errorhandler(HTTPException)
    def on_http(exc: HTTPException) -> Response:
        status = exc.code or 500
        codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                 413: "too_large", 415: "unsupported_media_type"}
        headers = {}
        if isinstance(exc, MethodNotAllowed):
            path = request.path[len(BASE):] if request.path.startswith(BASE) else request.path
            headers["Allow"] = ", ".join(platform.contract.allowed_methods(path))
        detail = {404: "no such resource", 405: "method not allowed here",
                  413: "the body is too large"}.get(status, "")
        code = codes.get(status, "internal_error" if status >= 500 else "bad_request")
        return problem_response(Problem(status, code, detail), headers)

    @app.errorhandler(Exception)
    def on_error(exc: Exception) -> Response:
        # Type and where, never the message: it may quote a citizen's data.
        frames = traceback.extract_tb(exc.__traceback__)[-6:]
        where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
        log.error("unexpected %s in %s %s at %s", type(exc).__name__, request.method,
                  request.url_rule.rule if request.url_rule else "?", where)
        return problem_response(Problem(500, "internal_error", "the platform failed"))

    @app.after_request
    def check_answer(response: Response) -> Response:
        if not platform.validate_responses:
            return response
        try:
            platform.contract.check_response(request, response)
        except ContractViolation as exc:
            rule = request.url_rule.rule if request.url_rule else request.path
            message = f"{request.method} {rule}: {exc}"
            platform.violations.append(message)
            log.error("contract violation: %s", message)
            return problem_response(Problem(500, "internal_error", "contract violation"))
        return response


def _install_routes(app: Flask, platform: Platform) -> None:
    store = platform.store

    def route(path: str, method: str, operation: str, *, public: bool = False
              ) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        def register(view: Callable[..., Response]) -> Callable[..., Response]:
            app.add_url_rule(BASE + path, endpoint=operation, view_func=view, methods=[method],
                             provide_automatic_options=False)
            if public:
                platform.public_ops.add(operation)
            return view
        return register

    def body() -> Any:
        return request.get_json(force=True)

    def idempotent(operation: str, effect: Callable[[Any, Any], Any], *, created: int,
                   location: Callable[[Any], str] | None = None) -> Response:
        payload = body()
        outcome = run_once(store, kiosk_id=g.kiosk_id, operation=operation,
                           key=request.headers["Idempotency-Key"],
                           print_=fingerprint(request.path, payload),
                           effect=lambda conn: (created, effect(conn, payload)))
        response = json_response(outcome.body, outcome.status)
        if outcome.replayed:
            response.headers[REPLAYED_HEADER] = "true"
        elif location is not None:
            response.headers["Location"] = location(outcome.body)
        return response

    @route("/health", "GET", "getHealth", public=True)
    def health() -> Response:
        with store.read() as conn:
            conn.execute("SELECT 1").fetchone()
        return json_response({"status": "ok", "version": _version()})

    @route("/catalogue/services", "GET", "listServices")
    def list_services() -> Response:
        with store.read() as conn:
            items = catalogue.list_services(conn, request.args.get("audience"),
                                            request.args.get("terminal_only") == "true")
        return json_response({"items": items})

    @route("/catalogue/services/<service_id>", "GET", "getService")
    def get_service(service_id: str) -> Response:
        with store.read() as conn:
            return json_response(catalogue.get_service(conn, service_id))

    @route("/citizens/lookup", "POST", "lookupCitizen")
    def lookup_citizen() -> Response:
        id_number = body()["id_number"]
        check_id_number(id_number, None, platform.now().date())
        with store.read() as conn:
            return json_response(catalogue.lookup_citizen(conn, id_number))

    @route("/applications", "POST", "createApplication")
    def create_application() -> Response:
        return idempotent("createApplication",
                          lambda conn, b: applications.create(conn, g.kiosk_id, b, platform.now()),
                          created=201,
                          location=lambda a: f"{BASE}/applications/{a['receipt_no']}")

    @route("/applications/query", "POST", "queryApplications")
    def query_applications() -> Response:
        with store.read() as conn:
            items = applications.query(conn, body()["id_number"], platform.now().date())
        return json_response({"items": items})

    @route("/applications/<receipt_no>", "GET", "getApplication")
    def get_application(receipt_no: str) -> Response:
        with store.read() as conn:
            return json_response(applications.get(conn, receipt_no))

    @route("/applications/<receipt_no>/supplements", "POST", "supplementApplication")
    def supplement(receipt_no: str) -> Response:
        return idempotent("supplementApplication",
                          lambda conn, b: applications.supplement(conn, receipt_no, b,
                                                                  platform.now()),
                          created=200)

    @route("/certificates/query", "POST", "queryCertificates")
    def query_certificates() -> Response:
        with store.read() as conn:
            items = certificate_records.query(conn, body()["id_number"], platform.now().date())
        return json_response({"items": items})

    @route("/certificates/<certificate_id>/document", "GET", "getCertificateDocument")
    def certificate_document(certificate_id: str) -> Response:
        with store.read() as conn:
            row = dict(certificate_records.find(conn, certificate_id))
        base = (platform.public_url or request.host_url.rstrip("/") + BASE).rstrip("/")
        pdf = certificates.render_pdf(row, f"{base}/verify/{row['verification_code']}")
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{certificate_id}.pdf"'
        response.headers["Cache-Control"] = "no-store"
        return response

    @route("/certificates/<certificate_id>/collect", "POST", "collectCertificate")
    def collect(certificate_id: str) -> Response:
        return idempotent("collectCertificate",
                          lambda conn, b: certificate_records.collect(
                              conn, certificate_id, g.kiosk_id, b.get("reprint_reason"),
                              platform.now()),
                          created=200)

    @route("/verify/<verification_code>", "GET", "verifyCertificate", public=True)
    def verify(verification_code: str) -> Response:
        with store.read() as conn:
            return json_response(certificate_records.verify(conn, verification_code))

    @route("/payments", "POST", "createPayment")
    def create_payment() -> Response:
        return idempotent("createPayment",
                          lambda conn, b: payments.create(conn, b["receipt_no"], platform.now()),
                          created=201)

    @route("/payments/<payment_id>", "GET", "getPayment")
    def get_payment(payment_id: str) -> Response:
        with store.read() as conn:
            return json_response(payments.get(conn, payment_id, platform.now()))

    @route("/appointments/slots", "GET", "listSlots")
    def list_slots() -> Response:
        args = request.args
        with store.write() as conn:  # slots are made on first sight
            items = appointments.list_slots(conn, args["service_id"],
                                            dt.date.fromisoformat(args["date_from"]),
                                            dt.date.fromisoformat(args["date_to"]),
                                            platform.now())
        return json_response({"items": items})

    @route("/appointments", "POST", "bookAppointment")
    def book() -> Response:
        return idempotent("bookAppointment",
                          lambda conn, b: appointments.book(conn, b, platform.now()),
                          created=201)

    @route("/appointments/query", "POST", "queryAppointments")
    def query_appointments() -> Response:
        with store.read() as conn:
            items = appointments.query(conn, body()["id_number"], platform.now().date())
        return json_response({"items": items})

    @route("/appointments/<appointment_id>/cancel", "POST", "cancelAppointment")
    def cancel(appointment_id: str) -> Response:
        with store.write() as conn:
            return json_response(appointments.cancel(conn, appointment_id, platform.now()))

    @route("/evaluations", "POST", "createEvaluation")
    def evaluate() -> Response:
        return idempotent("createEvaluation",
                          lambda conn, b: evaluations.create(conn, g.kiosk_id, b, platform.now()),
                          created=201)

    @route("/kiosk/heartbeat", "POST", "postHeartbeat")
    def heartbeat() -> Response:
        with store.write() as conn:
            return json_response(terminals.heartbeat(conn, g.kiosk_id, body(), platform.now()))

    @route("/kiosk/events", "POST", "postEvents")
    def events() -> Response:
        with store.write() as conn:
            counts = terminals.events(conn, g.kiosk_id, body()["events"], platform.now())
        return json_response(counts, 202)
