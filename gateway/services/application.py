"""The application bundle: everything an API may call. Composed once by gateway.app;
gateway.schema and rest_compat receive it and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.services.accounts import Accounts
from gateway.services.addresses import AddressRules
from gateway.services.api_tokens import ApiTokens
from gateway.services.bookings import Bookings
from gateway.services.directory import Directory
from gateway.services.history import OccupancyHistory
from gateway.services.images import Images
from gateway.services.ingest import Ingest
from gateway.services.live import Live
from gateway.services.live_occupancy import LiveOccupancy
from gateway.services.notifications import Notifications
from gateway.services.occupancy import OccupancyNow
from gateway.services.people import People
from gateway.services.ports import Authenticator, Clock
from gateway.services.presence import Presence
from gateway.services.probes import Probes
from gateway.services.reads import Reads


@dataclass(frozen=True)
class Application:
    """Use cases (`accounts`, `bookings`, `directory`, `probes`), batched read models for
    nested fields (`reads`), subscriptions (`live`), the clock, and `authenticate`, which
    turns a credential as presented by a client into a principal; sign-in address rules
    (`addresses`); `presence` (on-site toggling, office hours, analytics);
    `notifications`: people's notifications, settings and push tokens; `api_tokens` for
    sensors and dashboards; `occupancy`: how full the location tree is now; `ingest`:
    sensor readings in; `history`: occupancy over local days; `live_occupancy`: the
    liveOccupancy subscriptions' hub."""

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
    api_tokens: ApiTokens
    occupancy: OccupancyNow
    ingest: Ingest
    history: OccupancyHistory
    live_occupancy: LiveOccupancy
