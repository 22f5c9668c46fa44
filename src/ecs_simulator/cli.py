"""``ecs-simulator`` command line: parse options, start the server, print one ``listening on`` line.

stdout carries exactly that line (tools read it to find the port); logs go to stderr.
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
from .faults import FaultConfig
from .server import SimServer
from .tls import server_context


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ecs-simulator", description="Simulated Dell EMC ECS management API.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=4443, help="0 picks a free port")
    p.add_argument("--tls", action=argparse.BooleanOptionalAction, default=True, help="serve HTTPS (default)")
    p.add_argument("--ca-out", metavar="PATH", help="write the PEM of the CA that signed the server certificate")
    p.add_argument("--user", default="admin", help="management admin user")
    p.add_argument("--password", default="ChangeMe", help="management admin password")
    p.add_argument("--replication-group", action="append", metavar="NAME", dest="replication_groups",
                   help="replication group name (repeatable; default rg1)")
    p.add_argument("--latency-ms", type=float, default=0.0, help="added to every ECS call")
    p.add_argument("--fail-rate", type=float, default=0.0, help="fraction of ECS calls that fail")
    p.add_argument("--seed", type=int, default=0, help="seed of the fault sequence")
    p.add_argument("--token-ttl", type=float, default=8 * 3600.0, metavar="SECONDS", help="token lifetime")
    p.add_argument("--state", metavar="PATH", help="JSON file: loaded at start, saved on change and at exit")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s ecs-simulator %(levelname)s %(message)s")
    if not 0.0 <= args.fail_rate <= 1.0:
        print("--fail-rate must be within [0, 1]", file=sys.stderr)
        return 2
    sim = Simulator(user=args.user, password=args.password, replication_groups=args.replication_groups,
                    token_ttl=args.token_ttl, state_path=args.state,
                    faults=FaultConfig(latency_ms=args.latency_ms, fail_rate=args.fail_rate, seed=args.seed))
    ctx = server_context(args.ca_out) if args.tls else None
    server = SimServer((args.host, args.port), sim, ctx, verbose=args.verbose)

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
        sim.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
