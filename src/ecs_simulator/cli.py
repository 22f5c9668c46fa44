"""``ecs-simulator`` command line: parse options, start the server, print one ``listening on`` line.

stdout carries exactly that line (tools read it to find the port); logs go to stderr. A state file
that cannot be used (corrupt, or locked by another simulator) stops the start with a one-line
reason on stderr and exit status 2. SIGTERM/SIGINT: stop accepting, let calls in flight finish,
then the final save.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .api import Simulator
from .faults import MAX_SLOW_MS, FaultConfig
from .options import Options
from .persist import StateFileError
from .profiles import DEFAULT_PROFILE, PROFILES
from .server import SimServer
from .tls import CERT_MODES, server_context


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ecs-simulator", description="Simulated Dell EMC ECS management API.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=4443, help="0 picks a free port")
    p.add_argument("--tls", action=argparse.BooleanOptionalAction, default=True, help="serve HTTPS (default)")
    p.add_argument(
        "--tls-cert",
        choices=CERT_MODES,
        default="default",
        help="localhost: a certificate for CN=localhost only, as ECS ships",
    )
    p.add_argument("--ca-out", metavar="PATH", help="write the PEM of the CA that signed the server certificate")
    p.add_argument("--user", default="admin", help="management admin user")
    p.add_argument("--password", default="ChangeMe", help="management admin password")
    p.add_argument(
        "--replication-group",
        action="append",
        metavar="NAME",
        dest="replication_groups",
        help="replication group name (repeatable; default rg1)",
    )
    p.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE, help="which ECS to play")
    p.add_argument("--vdc-id", metavar="ID", help="local VDC uuid or URN (default: random, kept in --state)")
    p.add_argument("--vdc-name", metavar="NAME", help="local VDC name (default vdc1)")
    p.add_argument(
        "--latency-ms", type=float, default=0.0, help=f"added to every ECS call (at most {MAX_SLOW_MS}: a hung ECS)"
    )
    p.add_argument("--fail-rate", type=float, default=0.0, help="fraction of ECS calls that fail")
    p.add_argument("--seed", type=int, default=0, help="seed of the fault sequence")
    p.add_argument("--billing-lag-s", type=float, default=0.0, metavar="N", help="usage reaches billing N s late")
    p.add_argument(
        "--expired-token", type=int, choices=(401, 302), default=401, help="answer to an expired or invalid token"
    )
    p.add_argument(
        "--max-concurrent",
        type=int,
        default=0,
        metavar="N",
        help="beyond N management calls in flight: 503, code 6000 (0 = no cap)",
    )
    p.add_argument("--token-ttl", type=float, default=8 * 3600.0, metavar="SECONDS", help="token lifetime")
    p.add_argument("--state", metavar="PATH", help="JSON file: loaded at start, saved on change and at exit")
    p.add_argument("--max-threads", type=int, default=64, help="connections served at once")
    p.add_argument("--idle-timeout", type=float, default=60.0, metavar="SECONDS", help="idle keep-alive limit")
    p.add_argument("--handshake-timeout", type=float, default=10.0, metavar="SECONDS", help="TLS handshake limit")
    p.add_argument("--verbose", action="store_true", help="log one line per request to stderr")
    return p


def build_parser() -> argparse.ArgumentParser:
    return _parser()


def _simulator(args: argparse.Namespace) -> Simulator:
    """ValueError for bad option values, StateFileError for an unusable state file."""
    options = Options().updated(
        {
            "billing_lag_s": args.billing_lag_s,
            "expired_token": args.expired_token,
            "max_concurrent": args.max_concurrent,
        }
    )
    faults = FaultConfig(latency_ms=args.latency_ms, fail_rate=args.fail_rate, seed=args.seed)
    if not 0.0 <= args.fail_rate <= 1.0 or not 0.0 <= args.latency_ms <= MAX_SLOW_MS:
        raise ValueError(f"--fail-rate must be within [0, 1] and --latency-ms within [0, {MAX_SLOW_MS}]")
    if args.max_threads < 1 or not args.idle_timeout > 0 or not args.handshake_timeout > 0:
        raise ValueError("--max-threads must be >= 1, --idle-timeout and --handshake-timeout > 0")
    return Simulator(
        user=args.user,
        password=args.password,
        replication_groups=args.replication_groups,
        token_ttl=args.token_ttl,
        state_path=args.state,
        faults=faults,
        profile=args.profile,
        options=options,
        vdc_id=args.vdc_id,
        vdc_name=args.vdc_name,
        host=args.host,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s ecs-simulator %(levelname)s %(message)s",
    )
    try:
        sim = _simulator(args)
    except StateFileError as exc:
        print(f"ecs-simulator: cannot use state file {args.state}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"ecs-simulator: {exc}", file=sys.stderr)
        return 2
    try:
        ctx = server_context(args.ca_out, args.tls_cert) if args.tls else None
        server = SimServer(
            (args.host, args.port),
            sim,
            ctx,
            verbose=args.verbose,
            max_threads=args.max_threads,
            idle_timeout=args.idle_timeout,
            handshake_timeout=args.handshake_timeout,
        )
    except BaseException:
        sim.close()
        raise

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write(f"listening on {server.base_url}\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        sim.close()  # waits for calls in flight, then the final save
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
