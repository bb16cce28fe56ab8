from litestar.datastructures import State

from server.checkin import signing
from server.checkin.commands import COMMANDS
from server.checkin.controllers import CheckinController, OrganiserCheckinController, PassController, pass_issuing
from server.checkin.deps import CHECKINS, KEYRING, OCCUPANCY
from server.checkin.occupancy import OccupancyBoard
from server.checkin.scans import CheckinService, ScanHandler
from server.checkin.signing import KeyRingRef
from server.checkin.stamps import StampHandler
from server.domain import SNAPSHOTS, WRITER, Domain
from server.settings import Settings
from server.state import CLOCK, ENGINE


def domain(settings: Settings) -> Domain:
    """Passes, QR codes, live and offline scans, occupancy, posters and the stamp passport."""
    keys = KeyRingRef(settings.data_path / "keys", settings.signing_keys)
    board = OccupancyBoard()
    scans = ScanHandler(keys, board)

    async def load_keys(state: State) -> None:
        # The ring (from <data_dir>/keys/ or LEHOI_SIGNING_KEYS) is read when the app starts, and its public keys
        # mirrored for phones; a bad key configuration stops start-up here.
        now = CLOCK.of(state).now()
        KEYRING.put(state, keys.load(now))
        if await signing.mirror_public_keys(ENGINE.of(state), KEYRING.of(state), now):
            SNAPSHOTS.of(state).invalidate()

    async def start_service(state: State) -> None:
        CHECKINS.put(state, CheckinService(ENGINE.of(state), WRITER.of(state), keys, board))

    async def stop_service(state: State) -> None:
        await scans.close()

    return Domain(
        commands=COMMANDS,
        route_handlers=[pass_issuing(), PassController, CheckinController, OrganiserCheckinController],
        mutation_handlers=[scans, StampHandler(keys)],
        bundle_parts=[signing.bundle_part],
        feed_records={"revoked_pass": signing.revoked_pass_records, "pass_key": signing.pass_key_records},
        state={OCCUPANCY: board},
        on_startup=[load_keys, start_service],
        on_shutdown=[stop_service],
    )
