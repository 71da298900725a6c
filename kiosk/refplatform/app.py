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
from typing import Any, Protocol

from cryptography import x509
from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from drivers.smartcard.card_auth import load_issuer_root
from kiosk.refplatform import (appointments, applications, audit_heads, auth, catalogue,
                               certificate_records, certificates, citizen_sessions, commands,
                               evaluations, help_requests, payments, terminals)
from kiosk.refplatform.citizen_sessions import GRANT_HEADER, SESSION_HEADER, CitizenSession
from kiosk.refplatform.rate_limits import RateLimits
from kiosk.refplatform.fleet_files import serve_fleet_repository
from kiosk.refplatform.contract import (PROBLEM_TYPE, Contract, ContractViolation,
                                       default_contract)
from kiosk.refplatform.idempotency import REPLAYED_HEADER, fingerprint, run_once
from kiosk.refplatform.ids import CST, Clock, check_id_number, system_clock
from kiosk.refplatform.problems import Problem
from kiosk.refplatform.store import Store

log = logging.getLogger(__name__)


class ConsoleSink(Protocol):
    """Where the platform passes on what terminals report (kiosk.console.ingest.ConsoleSink)."""

    def heartbeat(self, kiosk_id: str, doc: dict[str, Any], now: dt.datetime) -> None: ...

    def events(self, kiosk_id: str, batch: list[dict[str, Any]], now: dt.datetime) -> None: ...

    def help_raised(self, kiosk_id: str, request: dict[str, Any], now: dt.datetime) -> None: ...

    def audit_flagged(self, kiosk_id: str, flagged: list[dict[str, Any]],
                      now: dt.datetime) -> None: ...


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
    # True: every operation on a citizen's data needs a verified citizen session (or, for the
    # outbox's filings, a filing grant). False: the contract-1.0 terminals that send none are
    # still served as before, but a request that names a session is held to it all the same.
    require_citizen_session: bool = True
    limits: RateLimits = field(default_factory=RateLimits)
    filing_grant_uses: int = citizen_sessions.GRANT_USES
    card_root: x509.Certificate | None = None  # the card issuer's root: the card_pin factor
    # The operations console's store (kiosk.console.ingest.ConsoleSink): told after each
    # heartbeat, events batch and help request committed; it never fails a request.
    console_sink: ConsoleSink | None = None

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
               max_body: int = MAX_BODY, fleet_dir: str | Path | None = None,
               require_citizen_session: bool = True,
               rate_limits: RateLimits | None = None,
               filing_grant_uses: int = citizen_sessions.GRANT_USES,
               card_issuer_root: bytes | None = None,
               console_sink: ConsoleSink | None = None) -> Flask:
    """The app over the database at `db_path` (made and migrated if new; seeded if empty).

    `validate_responses`: hold every answer to the contract and answer 500 (recording the
    violation in `platform.violations`) when it breaks it; for tests. `clock`: a callable
    returning an aware datetime (tests move time). `public_url`: the base written into
    verification QR codes (default: the URL the request came in on). `fleet_dir`: a fleet
    repository's public directory, served as static signed files at /fleet/ (outside the
    API's credential checks on purpose: TUF trusts the signatures, not the transport).
    `require_citizen_session`: refuse every operation on a citizen's data that comes without
    a verified citizen session (see `Platform.require_citizen_session`). `rate_limits`:
    other windows than kiosk.refplatform.rate_limits.RULES. `filing_grant_uses`: how many
    things one filing grant files (a drill filing a hundred for one citizen needs more).
    `card_issuer_root`: the smart-card issuer's root certificate (PEM); with it, a smart card's
    holder may prove themselves by the card's PIN (the card_pin factor). `console_sink`: the
    operations console's ingest (kiosk.console.ingest.ConsoleSink), fed what terminals report.
    """
    store = Store(db_path)
    if not store.has_catalogue():
        services, citizens = default_seed()
        if services or citizens:
            store.seed(services, citizens)
    platform = Platform(store, clock or system_clock, default_contract(), validate_responses,
                        public_url, require_citizen_session=require_citizen_session,
                        limits=rate_limits or RateLimits(),
                        filing_grant_uses=filing_grant_uses,
                        card_root=load_issuer_root(card_issuer_root) if card_issuer_root
                        else None, console_sink=console_sink)
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
        headers = {"Retry-After": str(problem.retry_after_s)} if problem.retry_after_s else None
        return problem_response(problem, headers)

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

    def citizen(operation: str, subject: str | None = None, *,
                filing: bool = False) -> CitizenSession | None:
        """The verified citizen session a request on a citizen's data is made in: resolved,
        touched, counted against the terminal's limit and recorded with what it reaches.
        `filing`: the outbox may deliver with a filing grant instead. None only for a request
        naming no session while sessions are not required."""
        token = request.headers.get(SESSION_HEADER)
        grant = request.headers.get(GRANT_HEADER) if filing else None
        if not token and not grant and not platform.require_citizen_session:
            return None
        platform.limits.hit("citizen_data_per_kiosk", g.kiosk_id)
        now = platform.now()
        with store.write() as conn:
            if filing:
                session = citizen_sessions.resolve_filing(
                    conn, g.kiosk_id, token, grant, request.headers.get("Idempotency-Key", ""),
                    now, platform.filing_grant_uses)
            else:
                session = citizen_sessions.resolve(conn, g.kiosk_id, token, now)
            citizen_sessions.record_read(conn, session, operation, subject, now)
        return session

    def must_be(session: CitizenSession | None, id_number: str | None, what: str) -> None:
        """Someone else's object is answered as not there (no hint that it exists)."""
        if session is not None and id_number != session.id_number:
            raise Problem(404, "not_found", f"no such {what}")

    def must_name_self(session: CitizenSession | None, id_number: str) -> None:
        if session is not None and id_number != session.id_number:
            raise Problem(403, "not_this_citizen",
                          "a citizen session reaches its own citizen's data only")

    def owner_of(table: str, column: str, value: str) -> str | None:
        with store.read() as conn:
            row = conn.execute(f"SELECT id_number FROM {table} WHERE {column} = ?",
                               (value,)).fetchone()
        return row["id_number"] if row else None

    def owner_of_payment(payment_id: str) -> str | None:
        with store.read() as conn:
            row = conn.execute("SELECT a.id_number FROM payments p JOIN applications a "
                               "ON a.receipt_no = p.receipt_no WHERE p.payment_id = ?",
                               (payment_id,)).fetchone()
        return row["id_number"] if row else None

    # -- citizen sessions ------------------------------------------------------------------

    @route("/citizen-sessions", "POST", "openCitizenSession")
    def open_citizen_session() -> Response:
        payload = body()
        check_id_number(payload["id_number"], None, platform.now().date())
        platform.limits.hit("session_per_kiosk", g.kiosk_id)
        platform.limits.hit("session_per_citizen", payload["id_number"])
        with store.write() as conn:
            answer = citizen_sessions.open_session(conn, g.kiosk_id, payload, platform.now(),
                                                   platform.card_root)
        response = json_response(answer, 201)
        response.headers["Cache-Control"] = "no-store"
        return response

    @route("/citizen-sessions/current", "GET", "getCitizenSession")
    def get_citizen_session() -> Response:
        with store.read() as conn:
            return json_response(citizen_sessions.describe(
                conn, g.kiosk_id, request.headers.get(SESSION_HEADER), platform.now()))

    @route("/citizen-sessions/current", "DELETE", "endCitizenSession")
    def end_citizen_session() -> Response:
        with store.write() as conn:
            citizen_sessions.end(conn, g.kiosk_id, request.headers.get(SESSION_HEADER),
                                 platform.now())
        return Response(status=204)

    @route("/citizen-sessions/current/holder-code", "POST", "sendHolderCode")
    def send_holder_code() -> Response:
        token = request.headers.get(SESSION_HEADER)
        with store.write() as conn:  # codes are counted per citizen: whose phone, first
            platform.limits.hit("code_per_citizen", citizen_sessions.citizen_of(
                conn, g.kiosk_id, token, platform.now()))
            answer = citizen_sessions.send_code(conn, g.kiosk_id, token, platform.now())
        return json_response(answer, 202)

    @route("/citizen-sessions/current/holder", "POST", "verifyHolder")
    def verify_holder() -> Response:
        with store.write() as conn:
            answer = citizen_sessions.verify_holder(
                conn, g.kiosk_id, request.headers.get(SESSION_HEADER), body(), platform.now(),
                platform.card_root)
        if isinstance(answer, Problem):
            raise answer  # after the commit: the wrong try stays counted
        response = json_response(answer)
        response.headers["Cache-Control"] = "no-store"
        return response


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
        must_name_self(citizen("lookupCitizen"), id_number)
        with store.read() as conn:
            return json_response(catalogue.lookup_citizen(conn, id_number))

    @route("/applications", "POST", "createApplication")
    def create_application() -> Response:
        must_name_self(citizen("createApplication", filing=True),
                       body()["applicant"]["id_number"])
        return idempotent("createApplication",
                          lambda conn, b: applications.create(conn, g.kiosk_id, b, platform.now()),
                          created=201,
                          location=lambda a: f"{BASE}/applications/{a['receipt_no']}")

    @route("/applications/query", "POST", "queryApplications")
    def query_applications() -> Response:
        must_name_self(citizen("queryApplications"), body()["id_number"])
        with store.read() as conn:
            items = applications.query(conn, body()["id_number"], platform.now().date())
        return json_response({"items": items})

    @route("/applications/<receipt_no>", "GET", "getApplication")
    def get_application(receipt_no: str) -> Response:
        must_be(citizen("getApplication", receipt_no),
                owner_of("applications", "receipt_no", receipt_no), "application")
        with store.read() as conn:
            return json_response(applications.get(conn, receipt_no))

    @route("/applications/<receipt_no>/progress-token", "POST", "issueProgressToken")
    def issue_progress_token(receipt_no: str) -> Response:
        must_be(citizen("issueProgressToken", receipt_no),
                owner_of("applications", "receipt_no", receipt_no), "application")
        with store.write() as conn:
            if applications.find(conn, receipt_no) is None:
                raise Problem(404, "not_found", "no such application")
            token = applications.issue_progress_token(conn, receipt_no, platform.now())
        response = json_response({"progress_token": token}, 201)
        response.headers["Cache-Control"] = "no-store"
        return response

    @route("/progress/<progress_token>", "GET", "getProgress")
    def get_progress(progress_token: str) -> Response:
        # A token is 130 random bits; the limit stops a terminal from trying them in bulk.
        platform.limits.hit("citizen_data_per_kiosk", g.kiosk_id)
        with store.read() as conn:
            return json_response(applications.progress(conn, progress_token, platform.now()))

    @route("/applications/<receipt_no>/supplements", "POST", "supplementApplication")
    def supplement(receipt_no: str) -> Response:
        must_be(citizen("supplementApplication", receipt_no, filing=True),
                owner_of("applications", "receipt_no", receipt_no), "application")
        return idempotent("supplementApplication",
                          lambda conn, b: applications.supplement(conn, receipt_no, b,
                                                                  platform.now()),
                          created=200)

    @route("/certificates/query", "POST", "queryCertificates")
    def query_certificates() -> Response:
        must_name_self(citizen("queryCertificates"), body()["id_number"])
        with store.read() as conn:
            items = certificate_records.query(conn, body()["id_number"], platform.now().date())
        return json_response({"items": items})

    @route("/certificates/<certificate_id>/document", "GET", "getCertificateDocument")
    def certificate_document(certificate_id: str) -> Response:
        must_be(citizen("getCertificateDocument", certificate_id),
                owner_of("certificates", "certificate_id", certificate_id), "certificate")
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
        must_be(citizen("collectCertificate", certificate_id, filing=True),
                owner_of("certificates", "certificate_id", certificate_id), "certificate")
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
        receipt_no = body()["receipt_no"]
        must_be(citizen("createPayment", receipt_no),
                owner_of("applications", "receipt_no", receipt_no), "application")
        return idempotent("createPayment",
                          lambda conn, b: payments.create(conn, b["receipt_no"], platform.now()),
                          created=201)

    @route("/payments/<payment_id>", "GET", "getPayment")
    def get_payment(payment_id: str) -> Response:
        must_be(citizen("getPayment", payment_id), owner_of_payment(payment_id), "payment")
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
        must_name_self(citizen("bookAppointment"), body()["applicant"]["id_number"])
        return idempotent("bookAppointment",
                          lambda conn, b: appointments.book(conn, b, platform.now()),
                          created=201)

    @route("/appointments/query", "POST", "queryAppointments")
    def query_appointments() -> Response:
        must_name_self(citizen("queryAppointments"), body()["id_number"])
        with store.read() as conn:
            items = appointments.query(conn, body()["id_number"], platform.now().date())
        return json_response({"items": items})

    @route("/appointments/<appointment_id>/cancel", "POST", "cancelAppointment")
    def cancel(appointment_id: str) -> Response:
        must_be(citizen("cancelAppointment", appointment_id),
                owner_of("appointments", "appointment_id", appointment_id), "appointment")
        with store.write() as conn:
            return json_response(appointments.cancel(conn, appointment_id, platform.now()))

    @route("/evaluations", "POST", "createEvaluation")
    def evaluate() -> Response:
        receipt_no = body()["receipt_no"]
        must_be(citizen("createEvaluation", receipt_no, filing=True),
                owner_of("applications", "receipt_no", receipt_no), "application")
        return idempotent("createEvaluation",
                          lambda conn, b: evaluations.create(conn, g.kiosk_id, b, platform.now()),
                          created=201)

    @route("/kiosk/heartbeat", "POST", "postHeartbeat")
    def heartbeat() -> Response:
        now = platform.now()
        flagged: list[dict[str, Any]] = []
        with store.write() as conn:
            answer = terminals.heartbeat(conn, g.kiosk_id, body(), now, flagged)
        if platform.console_sink is not None:
            platform.console_sink.heartbeat(g.kiosk_id, body(), now)
            if flagged:  # an audit head the series contradicts: the console's audit alert
                platform.console_sink.audit_flagged(g.kiosk_id, flagged, now)
        return json_response(answer)

    @route("/kiosk/audit-heads", "GET", "getAuditHeads")
    def get_audit_heads() -> Response:
        # The credential names the terminal: no parameter can name another one's series.
        since = int(request.args.get("since_seq", "1"))
        with store.read() as conn:
            return json_response(audit_heads.series(conn, g.kiosk_id, since))

    @route("/kiosk/help-requests", "POST", "raiseHelpRequest")
    def raise_help_request() -> Response:
        # The credential names the terminal; the body names only a place on its screen.
        platform.limits.hit("help_per_kiosk", g.kiosk_id)
        response = idempotent("raiseHelpRequest",
                              lambda conn, b: help_requests.raise_request(conn, g.kiosk_id, b,
                                                                          platform.now()),
                              created=201)
        if platform.console_sink is not None and response.status_code == 201 \
                and REPLAYED_HEADER not in response.headers:
            platform.console_sink.help_raised(g.kiosk_id, json.loads(response.get_data()),
                                              platform.now())
        return response

    @route("/kiosk/help-requests/<help_request_id>", "GET", "getHelpRequest")
    def get_help_request(help_request_id: str) -> Response:
        with store.read() as conn:
            return json_response(help_requests.for_kiosk(conn, g.kiosk_id, help_request_id))

    @route("/kiosk/commands", "GET", "getKioskCommands")
    def get_kiosk_commands() -> Response:
        # The credential names the terminal: another terminal's commands are never listed.
        with store.read() as conn:
            return json_response(commands.pending(conn, g.kiosk_id))

    @route("/kiosk/commands/<command_id>/result", "POST", "postKioskCommandResult")
    def post_kiosk_command_result(command_id: str) -> Response:
        with store.write() as conn:
            return json_response(commands.record_result(conn, g.kiosk_id, command_id, body(),
                                                        platform.now()))

    @route("/kiosk/events", "POST", "postEvents")
    def events() -> Response:
        now = platform.now()
        with store.write() as conn:
            counts = terminals.events(conn, g.kiosk_id, body()["events"], now)
        if platform.console_sink is not None:
            platform.console_sink.events(g.kiosk_id, body()["events"], now)
        return json_response(counts, 202)
