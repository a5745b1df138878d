"""create_app(settings) -> Starlette: the one place that wires adapters to use cases."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

import rest_compat
from domain.bookings import CheckInWindow
from domain.input_scan import InputLimits
from domain.rate import TokenRate
from gateway import audit_export
from gateway.auth.audit_client import AuditClientMiddleware
from gateway.auth.credentials import CredentialAuthenticator
from gateway.auth.middleware import PrincipalMiddleware
from gateway.auth.passwords import Argon2Hasher
from gateway.auth.proxies import ClientAddressMiddleware
from gateway.auth.tokens import JwtCodec
from gateway.http.headers import SecurityHeadersMiddleware
from gateway.http.limits import RequestLimitMiddleware
from gateway.images import http as image_http
from gateway.images.files import FileImageStore
from gateway.images.processing import ImageProcessing
from gateway.ingest import http as ingest_http
from gateway.live.broker import Broker, InMemoryBroker
from gateway.live.occupancy import BrokerOccupancyEvents
from gateway.live.redis_broker import RedisBroker
from gateway.live.redis_buckets import RedisBuckets
from gateway.mail.relay import MailRelay
from gateway.mail.senders import ConsoleSender, MailSender
from gateway.mail.smtp import SmtpConfig, SmtpSender, sender_address
from gateway.push.dispatch import PushDispatcher
from gateway.push.expo import ExpoPushSender
from gateway.push.senders import LoggingPushSender
from gateway.schema.build import GatewayGraphQL
from gateway.schema.context import CookiePolicy
from gateway.schema.limits import GraphQLLimits
from gateway.schema.limits_persisted import load_trusted_documents
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.addresses import AddressRules
from gateway.services.api_tokens import ApiTokens
from gateway.services.application import Application
from gateway.services.audit import AuditLog
from gateway.services.bookings import BookingPolicy, Bookings
from gateway.services.clock import SystemClock
from gateway.services.directory import Directory
from gateway.services.events import BookingEvent, Event, NotificationEvent
from gateway.services.history import OccupancyHistory
from gateway.services.images import Images
from gateway.services.ingest import Ingest, IngestPolicy
from gateway.services.legacy_lists import LegacyLists
from gateway.services.live import Live
from gateway.services.live_occupancy import LiveOccupancy
from gateway.services.notifications import Notifications
from gateway.services.occupancy import OccupancyNow
from gateway.services.password_resets import PasswordResets
from gateway.services.people import People
from gateway.services.people_lookup import PeopleLookup
from gateway.services.ports import (
    Clock,
    EventPublisher,
    ImageStore,
    PasswordHasher,
    PushSender,
    RateBuckets,
)
from gateway.services.presence import Presence
from gateway.services.presence_sweep import PresenceSweeper
from gateway.services.probes import Probes
from gateway.services.ration import MailRation
from gateway.services.reads import Reads
from gateway.services.reminders import ReminderWorker
from gateway.services.room_search import RoomSearch
from gateway.services.sign_ins import SignIns
from gateway.services.signups import Signups
from gateway.services.timetable_import import TimetableImport
from gateway.services.timetable_records import CollisionPolicy
from gateway.services.timetables import Timetables
from gateway.services.write_limits import InMemoryBuckets, WriteLimits, WritePolicy
from gateway.serving import freeze_heap
from gateway.settings import Settings
from gateway.store.engine import create_engine
from gateway.store.images import DatabaseImageStore
from gateway.store.readers import SqlBatchReader
from gateway.store.room_search import SqlRoomSearch
from gateway.store.timetable_reads import SqlTimetableCatalogue
from gateway.store.uow import SqlDatabase

log = logging.getLogger(__name__)


class FanOut:
    """Publishes to every sink; a failing sink is logged, never fatal: the change it
    reports has already been committed."""

    def __init__(self, sinks: Sequence[EventPublisher]) -> None:
        self._sinks = tuple(sinks)

    async def publish(self, event: Event) -> None:
        for sink in self._sinks:
            try:
                await sink.publish(event)
            except ConnectionError as error:  # the broker is away: say so, without a trace
                log.warning("publishing %s failed: %s", event.topic, error)
            except Exception:  # a live or mail hiccup must not fail a committed change
                log.exception("publishing %s to %r failed", event.topic, sink)


class LiveEvents:
    """What subscribers watch goes to the broker; a mail wake-up is for this process's
    relay only, and would cost a needless round trip to Redis."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker

    async def publish(self, event: Event) -> None:
        if isinstance(event, BookingEvent | NotificationEvent):
            await self._broker.publish(event)


@dataclass(frozen=True)
class Gateway:
    """What the app is made of, kept on app.state for the CLI and the tests."""

    settings: Settings
    db: SqlDatabase
    app: Application
    relay: MailRelay
    broker: Broker
    sweeper: PresenceSweeper
    reminders: ReminderWorker
    pushes: PushDispatcher


def open_broker(settings: Settings) -> Broker:
    """In-process events by default; Redis pub/sub when several processes serve."""
    if settings.broker_url is None:
        return InMemoryBroker()
    return RedisBroker(settings.broker_url, channel_prefix=settings.broker_channel_prefix)


def open_rate_buckets(settings: Settings) -> RateBuckets:
    """Write limits count in this process by default; in Redis, shared by every process,
    when OCCUPI_BROKER_URL names one."""
    if settings.broker_url is None:
        return InMemoryBuckets()
    return RedisBuckets(settings.broker_url, prefix=settings.broker_channel_prefix)


def write_policy(settings: Settings) -> WritePolicy:
    return WritePolicy(
        per_account=TokenRate(settings.rate_writes_per_minute),
        per_address=TokenRate(settings.rate_address_writes_per_minute),
        per_ingest_token=TokenRate(settings.rate_ingest_per_minute),
    )


def open_mail_sender(settings: Settings, clock: Clock) -> MailSender:
    """Mail to the log by default; over SMTP when OCCUPI_SMTP_URL names a server."""
    if settings.smtp_url is None:
        return ConsoleSender()
    config = SmtpConfig.from_url(settings.smtp_url)
    return SmtpSender(config, sender_address(settings.mail_from), clock)


def open_image_store(settings: Settings, db: SqlDatabase) -> ImageStore:
    """Image variants in the database by default; in a directory when configured."""
    if settings.image_dir is None:
        return DatabaseImageStore(db.read_sessions(), db.write_sessions())
    return FileImageStore(settings.image_dir)


def open_push_sender(settings: Settings) -> PushSender:
    """Pushes to the log by default; to Expo's push API with OCCUPI_PUSH_SENDER=expo."""
    if settings.push_sender == "expo":
        return ExpoPushSender(settings.push_url)
    return LoggingPushSender()


def build_gateway(
    settings: Settings,
    *,
    clock: Clock | None = None,
    mail_sender: MailSender | None = None,
    hasher: PasswordHasher | None = None,
    push_sender: PushSender | None = None,
) -> Gateway:
    """Everything but HTTP. Tests pass their own clock, mail and push senders and (cheaper)
    hasher."""
    clock = clock or SystemClock()
    engine = create_engine(
        settings.database_url,
        echo=settings.sql_echo,
        busy_seconds=settings.sqlite_busy_timeout.total_seconds(),
    )
    db = SqlDatabase(engine, clock)
    broker = open_broker(settings)
    relay = MailRelay(db, mail_sender or open_mail_sender(settings, clock), clock)
    pushes = PushDispatcher(db, push_sender or open_push_sender(settings))
    publisher = FanOut([LiveEvents(broker), relay, pushes])
    tokens = JwtCodec(
        settings.jwt_secret,
        lifetime=settings.token_lifetime,
        algorithm=settings.jwt_algorithm,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    check_in = CheckInWindow(before=settings.check_in_before, after=settings.check_in_after)
    ration = MailRation(per_recipient=settings.mails_per_recipient_per_day)
    account_policy = AccountPolicy(mail=ration)
    booking_policy = BookingPolicy(
        check_in=check_in,
        invites_per_day=settings.invites_per_day,
        mail=ration,
        reminder_lead=settings.reminder_lead,
        horizon=settings.booking_horizon,
    )
    password_hasher = hasher or Argon2Hasher()
    accounts = Accounts(db, clock, password_hasher, tokens, publisher, account_policy)
    batch_reader = SqlBatchReader(db.read_sessions(), db.single_read_sessions())
    reads = Reads(batch_reader, clock)
    room_search = RoomSearch(
        SqlRoomSearch(db.read_sessions()), requires_sign_in=settings.timetable_requires_sign_in
    )
    presence = Presence(db, clock)
    api_tokens = ApiTokens(db, clock)
    authenticate = CredentialAuthenticator(accounts, api_tokens)
    occupancy = OccupancyNow(db, clock, presence, stale_after=settings.occupancy_stale_after)
    app = Application(
        accounts=accounts,
        bookings=Bookings(db, clock, publisher, reads, booking_policy),
        directory=Directory(db, clock),
        reads=reads,
        live=Live(db, broker, clock, accounts.authenticate, recheck=settings.live_recheck),
        probes=Probes(),
        clock=clock,
        authenticate=authenticate,
        addresses=AddressRules(db, clock, publisher, ration),
        presence=presence,
        images=Images(db, open_image_store(settings, db), ImageProcessing(), batch_reader, clock),
        people=People(db, clock, publisher, account_policy.codes()),
        notifications=Notifications(db, clock),
        sign_ins=SignIns(accounts),
        signups=Signups(db, clock, password_hasher, accounts, account_policy.codes()),
        password_resets=PasswordResets(
            db, clock, password_hasher, publisher, accounts, account_policy.codes()
        ),
        legacy_lists=LegacyLists(db),
        lookup=PeopleLookup(db),
        timetable_import=TimetableImport(
            db, clock, publisher, CollisionPolicy(settings.timetable_collisions)
        ),
        room_search=room_search,
        timetables=Timetables(
            SqlTimetableCatalogue(db.read_sessions()), room_search, clock, settings.flep_time_zone
        ),
        api_tokens=api_tokens,
        occupancy=occupancy,
        ingest=Ingest(
            db,
            clock,
            BrokerOccupancyEvents(broker, clock),
            IngestPolicy(settings.ingest_max_readings, settings.readings_retention),
        ),
        history=OccupancyHistory(db, clock, stale_after=settings.occupancy_stale_after),
        live_occupancy=LiveOccupancy(
            broker,
            occupancy,
            clock,
            authenticate,
            coalesce=settings.live_coalesce,
            recheck=settings.live_recheck,
        ),
        audit=AuditLog(db, clock, settings.audit_retention),
        write_limits=WriteLimits(open_rate_buckets(settings), clock, write_policy(settings)),
        input_limits=InputLimits(settings.max_input_string, settings.max_input_list),
    )
    sweeper = PresenceSweeper(
        app.presence, interval_seconds=settings.presence_sweep.total_seconds()
    )
    reminders = ReminderWorker(db, clock, publisher)
    return Gateway(settings, db, app, relay, broker, sweeper, reminders, pushes)


def graphql_limits(settings: Settings) -> GraphQLLimits:
    trusted = settings.trusted_documents
    return GraphQLLimits(
        max_cost=settings.graphql_max_cost,
        max_document_chars=settings.graphql_max_document_chars,
        max_directives=settings.graphql_max_directives,
        timeout_ms=settings.graphql_timeout_ms,
        subscriptions_per_connection=settings.subscriptions_per_connection,
        subscriptions_per_user=settings.subscriptions_per_user,
        introspection=settings.graphql_introspection,
        suggestions=settings.graphql_suggestions,
        persisted_queries=settings.persisted_queries,
        trusted_documents=load_trusted_documents(trusted) if trusted else {},
    )


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    mail_sender: MailSender | None = None,
    hasher: PasswordHasher | None = None,
    push_sender: PushSender | None = None,
) -> Starlette:
    gateway = build_gateway(
        settings, clock=clock, mail_sender=mail_sender, hasher=hasher, push_sender=push_sender
    )
    graphql = GatewayGraphQL(
        gateway.app,
        CookiePolicy(secure=settings.secure_cookies),
        graphiql=settings.graphiql,
        allowed_origins=settings.http.cors_origins,
        ws_init_seconds=settings.http.ws_init_seconds,
        ws_idle_seconds=settings.http.ws_idle_seconds,
        limits=graphql_limits(settings),
        document_cache=settings.graphql_document_cache,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await gateway.app.audit.purge()  # OCCUPI_AUDIT_RETENTION_DAYS, if set
        await gateway.broker.start()
        gateway.relay.start()
        gateway.sweeper.start()
        gateway.reminders.start()
        try:
            yield
        finally:
            await gateway.app.live_occupancy.stop()
            await gateway.reminders.stop()
            await gateway.pushes.stop()
            await gateway.sweeper.stop()
            await gateway.relay.stop()
            await gateway.broker.stop()
            await gateway.app.write_limits.close()
            await gateway.db.dispose()

    async def index(_request: Request) -> Response:
        return JSONResponse({"service": "occupi-gateway", "graphql": "/graphql"})

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/healthz", health),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *rest_compat.routes(gateway.app),
            *image_http.routes(gateway.app.images),
            *ingest_http.routes(
                gateway.app.ingest, gateway.app.write_limits, max_bytes=settings.ingest_max_bytes
            ),
            *audit_export.routes(gateway.app.audit, max_rows=settings.audit_export_max_rows),
        ],
        # Only unmatched paths raise this 404; /graphql answers its own errors.
        exception_handlers={404: rest_compat.not_found},
        middleware=[
            Middleware(ClientAddressMiddleware, trusted=settings.trusted_proxies),
            *http_middleware(settings),
            Middleware(AuditClientMiddleware),
            Middleware(PrincipalMiddleware, authenticate=gateway.app.authenticate),
        ],
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    app.state.shared_live = graphql.shared_live
    app.state.subscription_caps = graphql.subscription_caps
    return app


# Routes that stream big bodies and count them against their own limit as they do:
# image uploads (16 MiB, gateway.images.uploads) and sensor ingest (OCCUPI_INGEST_MAX_BYTES).
OWN_BODY_LIMITS = ("/images/", "/api/upload-profile-image", "/api/upload-room-image", "/ingest/")


def http_middleware(settings: Settings) -> list[Middleware]:
    """Security headers on every answer (refusals included), CORS for the configured
    origins only, then the request limits (gateway.http)."""
    limits = settings.http
    cors = []
    if limits.cors_origins:
        cors.append(
            Middleware(
                CORSMiddleware,
                allow_origins=limits.cors_origins,
                allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "Accept"],
                allow_credentials=True,
                max_age=600,
            )
        )
    return [
        Middleware(SecurityHeadersMiddleware, trusted=settings.trusted_proxies),
        *cors,
        Middleware(
            RequestLimitMiddleware,
            max_body=limits.max_body_bytes,
            max_header_bytes=limits.max_header_bytes,
            body_seconds=limits.body_read_seconds,
            own_limits=OWN_BODY_LIMITS,
        ),
    ]


def app_from_env() -> Starlette:
    """The app for a worker process started by uvicorn (`occupi serve --workers N`)."""
    settings = Settings.from_env()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings)
    freeze_heap()
    return app
