"""The application bundle: everything an API may call. Composed once by gateway.app;
gateway.schema and rest_compat receive it and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.input_scan import InputLimits
from gateway.services.accounts import Accounts
from gateway.services.addresses import AddressRules
from gateway.services.api_tokens import ApiTokens
from gateway.services.audit import AuditLog
from gateway.services.bookings import Bookings
from gateway.services.directory import Directory
from gateway.services.history import OccupancyHistory
from gateway.services.images import Images
from gateway.services.ingest import Ingest
from gateway.services.legacy_lists import LegacyLists
from gateway.services.live import Live
from gateway.services.live_occupancy import LiveOccupancy
from gateway.services.notifications import Notifications
from gateway.services.occupancy import OccupancyNow
from gateway.services.password_resets import PasswordResets
from gateway.services.people import People
from gateway.services.people_lookup import PeopleLookup
from gateway.services.ports import Authenticator, Clock
from gateway.services.presence import Presence
from gateway.services.probes import Probes
from gateway.services.reads import Reads
from gateway.services.room_search import RoomSearch
from gateway.services.sign_ins import SignIns
from gateway.services.signups import Signups
from gateway.services.timetable_import import TimetableImport
from gateway.services.timetables import Timetables
from gateway.services.write_limits import WriteLimits


@dataclass(frozen=True)
class Application:
    """Use cases (`accounts`, `bookings`, `directory`, `probes`), batched read models for
    nested fields (`reads`), subscriptions (`live`), the clock, and `authenticate`, which
    turns a credential as presented by a client into a principal; sign-in address rules
    (`addresses`); `presence` (on-site toggling, office hours, analytics);
    `notifications`: people's notifications, settings and push tokens; the legacy auth
    flows: `sign_ins` (admin routes check the stored role), `signups` (password first,
    code second) and `password_resets` (by mailed code); `legacy_lists`: reads that
    name a person by e-mail address; `lookup`: people named by e-mail address (the
    Occupi REST API);
    `timetable_import`: `occupi import timetable`; `room_search`: free rooms and
    soonest bookings; `timetables`: courses, study plans, teachers, rooms' timetables;
    `api_tokens` for sensors and dashboards; `occupancy`: how full the location tree is
    now; `ingest`: sensor readings in; `history`: occupancy over local days;
    `live_occupancy`: the liveOccupancy subscriptions' hub; `audit`: the audit log."""

    accounts: Accounts
    bookings: Bookings
    directory: Directory
    reads: Reads
    live: Live
    probes: Probes
    clock: Clock
    authenticate: Authenticator
    people: People
    addresses: AddressRules
    presence: Presence
    images: Images
    notifications: Notifications
    sign_ins: SignIns
    signups: Signups
    password_resets: PasswordResets
    legacy_lists: LegacyLists
    lookup: PeopleLookup
    timetable_import: TimetableImport
    room_search: RoomSearch
    timetables: Timetables
    api_tokens: ApiTokens
    occupancy: OccupancyNow
    ingest: Ingest
    history: OccupancyHistory
    live_occupancy: LiveOccupancy
    audit: AuditLog
    write_limits: WriteLimits
    input_limits: InputLimits = field(default_factory=InputLimits)
