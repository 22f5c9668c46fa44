"""ecs_sync benchmark: N allocations over E simulated ECS endpoints with L ms latency per request.

    .venv/bin/python bench/sync_bench.py --n 2000 --endpoints 2 --latency-ms 5 --concurrency 4 --profile ecs-3.8

The parent builds a ColdFront SQLite database in a temp dir (syncdb-style tables, ColdFront's
defaults, ``ecs_setup``, N allocations with stored names and stale quota values), writes each
simulator's state file (namespaces, quotas, buckets, usage) and starts the simulators with
``--latency-ms L``. A fresh child process then measures, so its peak RSS and CPU are the sync's
own: ``ecs_sync`` twice (first run: every value changes; second: nothing does), one provisioning
and one quota change. HTTP counts come from the simulators' ``/_sim/stats``, SQL counts from a
connection execute wrapper, CPU from getrusage (client) and /proc/<pid>/stat (simulators).
Each term of the README's cost formula (``services.sync_cost``) is counted from the simulators'
per-endpoint statistics and printed next to what the formula predicts for the ``--profile``.
Prints a table, then the JSON line as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIB = 2**30
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- processes ---------------------------------------------------------------------------------
def proc_cpu_s(pid: int) -> float:
    """user+system CPU seconds of a process from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sim_request(base_url: str, ca: str, method: str, path: str, payload: dict | None = None) -> dict:
    import requests

    response = requests.request(method, base_url + path, json=payload, verify=ca, timeout=30)
    response.raise_for_status()
    return response.json() if response.content else {}


def start_simulator(state: Path, ca: Path, latency_ms: float, profile: str) -> tuple[subprocess.Popen, str]:
    cmd = [
        sys.executable,
        "-m",
        "ecs_simulator",
        "--port",
        "0",
        "--ca-out",
        str(ca),
        "--state",
        str(state),
        "--latency-ms",
        str(latency_ms),
        "--profile",
        profile,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = (proc.stdout.readline() if proc.stdout else "").strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError(f"simulator did not start: {line!r}")
    return proc, line.removeprefix("listening on ")


# -- the simulated clusters --------------------------------------------------------------------
def names(i: int) -> tuple[str, str]:
    return f"lab-{i:06d}", f"lab-{i:06d}-bucket"


def usage_bytes(i: int) -> int:
    return (i % 97 + 1) * GIB + i * 4096


def quota_gb(i: int) -> int:
    return 1024 * (i % 7 + 2)


def write_state(path: Path, indices: range | list[int]) -> None:
    """The simulator's --state JSON (its own persistence format): creating N namespaces over HTTP is not measured."""
    from ecs_simulator.state import rg_urn

    rg = rg_urn("rg1")
    namespaces, buckets = {}, {}
    for i in indices:
        ns, bucket = names(i)
        namespaces[ns] = {
            "name": ns,
            "default_data_services_vpool": rg,
            "allowed_vpools_list": [],
            "disallowed_vpools_list": [],
            "namespace_admins": "",
            "external_group_admins": "",
            "user_mapping": [],
            "default_bucket_block_size": -1,
            "is_encryption_enabled": False,
            "is_stale_allowed": False,
            "is_compliance_enabled": False,
            "blockSize": quota_gb(i),
            "notificationSize": quota_gb(i) * 9 // 10,
        }
        buckets[ns] = {
            bucket: {
                "name": bucket,
                "namespace": ns,
                "owner": "admin",
                "vpool": rg,
                "created": "2025-01-01T00:00:00.000Z",
                "api_type": "S3",
                "fs_access_enabled": False,
                "is_stale_allowed": False,
                "is_encryption_enabled": False,
                "block_size": -1,
                "notification_size": -1,
                "tags": [],
                "size_bytes": usage_bytes(i),
                "objects": 1,
            }
        }
    state = {
        "namespaces": namespaces,
        "buckets": buckets,
        "users": {},
        "capacity": {"total_provisioned_gb": 102400, "total_free_gb": 40960},
    }
    path.write_text(json.dumps(state))


# -- Django ------------------------------------------------------------------------------------
def setup_django(db: Path, ca: Path, concurrency: int) -> None:
    os.environ.update(
        {
            "BENCH_DB": str(db),
            "BENCH_CA": str(ca),
            "BENCH_CONCURRENCY": str(concurrency),
            "DJANGO_SETTINGS_MODULE": "bench_settings",
        }
    )
    sys.path.insert(0, str(HERE))
    import django

    django.setup()


def build_database(n: int, endpoints: list[str]) -> None:
    """ColdFront defaults, ecs_setup, E resources, N Active allocations with names and stale values."""
    import datetime

    from coldfront.core.allocation.models import (
        Allocation,
        AllocationAttribute,
        AllocationAttributeType,
        AllocationAttributeUsage,
        AllocationStatusChoice,
    )
    from coldfront.core.field_of_science.models import FieldOfScience
    from coldfront.core.project.models import Project, ProjectStatusChoice
    from coldfront.core.resource.models import Resource, ResourceAttribute, ResourceAttributeType, ResourceType
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from coldfront_ecs_plugin import attributes

    quiet = open(os.devnull, "w")  # noqa: SIM115
    call_command("migrate", run_syncdb=True, verbosity=0)
    for command in ("add_default_project_choices", "add_resource_defaults", "add_allocation_defaults"):
        call_command(command, stdout=quiet)
    FieldOfScience.objects.get_or_create(pk=149, defaults={"description": "Other"})
    call_command("ecs_setup", stdout=quiet)

    url_type = ResourceAttributeType.objects.get(name=attributes.URL)
    rg_type = ResourceAttributeType.objects.get(name=attributes.REPLICATION_GROUP)
    resources = []
    for e, base_url in enumerate(endpoints):
        res = Resource.objects.create(
            name=f"ECS bench {e}", description="bench", resource_type=ResourceType.objects.get(name="Storage")
        )
        ResourceAttribute.objects.create(resource=res, resource_attribute_type=url_type, value=base_url)
        ResourceAttribute.objects.create(resource=res, resource_attribute_type=rg_type, value="rg1")
        resources.append(res)

    pi = User.objects.create_user("benchpi")
    fos = FieldOfScience.objects.get(pk=149)
    active_project = ProjectStatusChoice.objects.get(name="Active")
    active = AllocationStatusChoice.objects.get(name="Active")
    types = {t.name: t for t in AllocationAttributeType.objects.all()}
    today = datetime.date.today()
    through = Allocation.resources.through
    for start in range(0, n, 2000):
        chunk = range(start, min(n, start + 2000))
        projects = Project.objects.bulk_create(
            [
                Project(
                    title=f"Bench lab {i}",
                    pi=pi,
                    description="bench project",
                    field_of_science=fos,
                    status=active_project,
                )
                for i in chunk
            ]
        )
        allocs = Allocation.objects.bulk_create(
            [
                Allocation(
                    project=p,
                    status=active,
                    quantity=1,
                    justification="bench",
                    start_date=today,
                    end_date=today + datetime.timedelta(days=365),
                )
                for p in projects
            ]
        )
        through.objects.bulk_create(
            [
                through(allocation_id=a.pk, resource_id=resources[i % len(resources)].pk)
                for i, a in zip(chunk, allocs, strict=True)
            ]
        )
        attrs = []
        for i, a in zip(chunk, allocs, strict=True):
            ns, bucket = names(i)
            for name, value in (
                (attributes.NAMESPACE, ns),
                (attributes.BUCKET, bucket),
                (attributes.QUOTA_TB, "1"),
                (attributes.QUOTA_BYTES, "1"),
            ):
                attrs.append(AllocationAttribute(allocation=a, allocation_attribute_type=types[name], value=value))
        attrs = AllocationAttribute.objects.bulk_create(attrs)
        AllocationAttributeUsage.objects.bulk_create(
            [
                AllocationAttributeUsage(allocation_attribute=attr, value=0.0)
                for attr in attrs
                if attr.allocation_attribute_type.name in (attributes.QUOTA_TB, attributes.QUOTA_BYTES)
            ]
        )
    from django.apps import apps

    from coldfront_ecs_plugin.migrations_support import bind_provisioned

    bind_provisioned(apps)  # as the upgrade migration binds provisioned allocations: ecs_sync reads bound ones
    quiet.close()


LAST_TERMS: dict[str, int] = {}


# -- the measured child ------------------------------------------------------------------------
class SQLCounter:
    """Counts every statement (Django's query log stops at 9,000 entries)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def history_total() -> int:
    from coldfront.core.allocation.models import AllocationAttribute, AllocationAttributeUsage
    from coldfront.core.resource.models import ResourceAttribute

    return sum(m.history.count() for m in (AllocationAttribute, AllocationAttributeUsage, ResourceAttribute))


def terms_of(before: list[dict], after: list[dict]) -> dict[str, int]:
    """The cost formula's terms, counted from every simulator's per-endpoint request counts."""
    from coldfront_ecs_plugin.services.sync_cost import measured_terms

    total: dict[str, int] = {}
    for b, a in zip(before, after, strict=True):
        delta = {k: v - b["by_endpoint"].get(k, 0) for k, v in a["by_endpoint"].items()}
        for term, count in measured_terms(delta).items():
            total[term] = total.get(term, 0) + count
    return total


def measured(sims: list[dict], ca: str, fn):
    """Run ``fn``; return (result, wall, sql, http, logins, client cpu, sim cpu); cost terms go to ``LAST_TERMS``."""
    from django.db import connection

    before = [sim_request(s["url"], ca, "GET", "/_sim/stats") for s in sims]
    sim_cpu0 = sum(proc_cpu_s(s["pid"]) for s in sims)
    counter = SQLCounter()
    cpu0, t0 = self_cpu_s(), time.perf_counter()
    with connection.execute_wrapper(counter):
        result = fn()
    wall, cpu = time.perf_counter() - t0, self_cpu_s() - cpu0
    sim_cpu = sum(proc_cpu_s(s["pid"]) for s in sims) - sim_cpu0
    after = [sim_request(s["url"], ca, "GET", "/_sim/stats") for s in sims]
    http = sum(a["requests"] - b["requests"] for a, b in zip(after, before, strict=True))
    logins = [a["logins"] - b["logins"] for a, b in zip(after, before, strict=True)]
    LAST_TERMS.clear()
    LAST_TERMS.update(terms_of(before, after))
    return result, wall, counter.count, http, logins, cpu, sim_cpu


def make_new_allocation(resource_name: str, tb: float) -> int:
    import datetime

    from coldfront.core.allocation.models import (
        Allocation,
        AllocationAttribute,
        AllocationAttributeType,
        AllocationStatusChoice,
    )
    from coldfront.core.project.models import Project, ProjectStatusChoice
    from coldfront.core.resource.models import Resource
    from django.contrib.auth.models import User

    from coldfront_ecs_plugin import attributes

    project = Project.objects.create(
        title="Bench provisioning lab",
        pi=User.objects.get(username="benchpi"),
        description="bench project",
        field_of_science_id=149,
        status=ProjectStatusChoice.objects.get(name="Active"),
    )
    today = datetime.date.today()
    allocation = Allocation.objects.create(
        project=project,
        status=AllocationStatusChoice.objects.get(name="Active"),
        quantity=1,
        justification="bench",
        start_date=today,
        end_date=today + datetime.timedelta(days=365),
    )
    allocation.resources.add(Resource.objects.get(name=resource_name))
    AllocationAttribute.objects.create(
        allocation=allocation,
        value=str(tb),
        allocation_attribute_type=AllocationAttributeType.objects.get(name=attributes.QUOTA_TB),
    )
    return allocation.pk


def child(args: argparse.Namespace) -> None:
    setup_django(Path(args.db), Path(args.ca), args.concurrency)
    from coldfront_ecs_plugin.services.sync import sync_resources

    sims = json.loads(args.sims)
    out: dict = {}
    h0 = history_total()
    run_first = sync_resources
    if os.environ.get("BENCH_PROFILE"):  # cProfile the first run into this file
        import cProfile

        def run_first():
            profiler = cProfile.Profile()
            try:
                return profiler.runcall(sync_resources)
            finally:
                profiler.dump_stats(os.environ["BENCH_PROFILE"])

    first, wall1, sql1, http1, logins1, cpu1, simcpu1 = measured(sims, args.ca, run_first)
    out["terms_first"] = dict(LAST_TERMS)
    h1 = history_total()
    second, wall2, sql2, http2, logins2, cpu2, simcpu2 = measured(sims, args.ca, sync_resources)
    out["terms_nochange"] = dict(LAST_TERMS)
    h2 = history_total()
    if not first.ok or not second.ok:
        print(
            json.dumps(
                {"sync_failures": [f.describe() for _r, f in (first.all_failures() + second.all_failures())][:10]}
            ),
            file=sys.stderr,
        )
    out.update(
        wall_s=wall1,
        wall_nochange_s=wall2,
        sql_first=sql1,
        sql_nochange=sql2,
        http_first=http1,
        http_nochange=http2,
        logins_first=logins1,
        logins_nochange=logins2,
        client_cpu_s=cpu1,
        client_cpu_nochange_s=cpu2,
        sim_cpu_s=simcpu1,
        sim_cpu_nochange_s=simcpu2,
        history_rows_first=h1 - h0,
        history_rows_nochange=h2 - h1,
        updated_first=first.updated,
        unchanged_nochange=second.unchanged,
        failed=first.failed + second.failed,
        endpoint_seconds=[e["seconds"] for e in first.endpoints.values()],
    )
    out.update(_provisioning(sims, args.ca))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def _provisioning(sims: list[dict], ca: str) -> dict:
    """One approval-time provisioning and one quota change, through the colleague's services if present."""
    try:
        from coldfront_ecs_plugin.services.provisioning import provision
        from coldfront_ecs_plugin.services.quota import change_quota
    except ImportError as exc:
        return {"provision_error": f"provisioning service unavailable: {exc}"}
    pk = make_new_allocation("ECS bench 0", 2.0)
    sim0 = sims[:1]
    result: dict = {}
    try:
        _r, wall, sql, http, _l, _c, _s = measured(sim0, ca, lambda: provision(pk))
        result.update(provision_s=wall, provision_sql=sql, provision_http=http)
        _r, wall, sql, http, _l, _c, _s = measured(sim0, ca, lambda: change_quota(pk, 3.0))
        result.update(quota_change_s=wall, quota_change_sql=sql, quota_change_http=http)
    except Exception as exc:  # the benchmark still reports the sync figures
        result["provision_error"] = f"{type(exc).__name__}: {exc}"
    return result


# -- the parent --------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--endpoints", type=int, default=2)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--profile",
        default="ecs-3.8",
        choices=("ecs-3.8", "ecs-3.1", "objectscale-4.1"),
        help="the simulators' ECS profile",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database, states, CAs)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--ca", help=argparse.SUPPRESS)
    parser.add_argument("--sims", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="ecs-sync-bench-"))
    db, bundle = tmp / "coldfront.sqlite3", tmp / "ca-bundle.pem"
    procs: list[subprocess.Popen] = []
    try:
        t0 = time.perf_counter()
        sims = []
        for e in range(args.endpoints):
            state, ca = tmp / f"sim{e}.json", tmp / f"ca{e}.pem"
            write_state(state, range(e, args.n, args.endpoints))
            proc, url = start_simulator(state, ca, args.latency_ms, args.profile)
            procs.append(proc)
            sims.append({"url": url, "pid": proc.pid, "ca": str(ca)})
        bundle.write_text("".join(Path(s["ca"]).read_text() for s in sims))
        setup_django(db, bundle, args.concurrency)
        build_database(args.n, [s["url"] for s in sims])
        from django.db import connections

        connections.close_all()
        setup_s = time.perf_counter() - t0
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            "--db",
            str(db),
            "--ca",
            str(bundle),
            "--sims",
            json.dumps(sims),
            "--concurrency",
            str(args.concurrency),
        ]
        load = os.getloadavg()[0]
        done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), check=False)
        load = max(load, os.getloadavg()[0])
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return 1
        if done.stderr.strip():
            sys.stderr.write(done.stderr)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures["load_1min"] = load
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        if not args.keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    report(args, figures, setup_s)
    return 0


def formula(args: argparse.Namespace) -> dict[str, int]:
    """What the README's cost formula predicts for this run, summed over the endpoints."""
    from coldfront_ecs_plugin.services.sync_cost import PROFILE_SHAPES, run_cost

    total: dict[str, int] = {}
    for e in range(args.endpoints):
        m = len(range(e, args.n, args.endpoints))
        for term, count in run_cost(namespaces_on_ecs=m, wanted=m, **PROFILE_SHAPES[args.profile]).to_dict().items():
            total[term] = total.get(term, 0) + count
    return total


def cost_rows(args: argparse.Namespace, f: dict) -> list[tuple[str, str, str]]:
    expected = formula(args)
    rows = []
    for term, predicted in expected.items():
        got = (f["terms_first"].get(term), f["terms_nochange"].get(term))
        mark = "ok" if got == (predicted, predicted) else "DIFFERS"
        rows.append((f"  cost: {term}", f"{got[0]} / {got[1]}", f"formula {predicted} ({mark})"))
    return rows


#: issue 9's targets: figure -> (limit, unit, the run it applies to (N, E) on the default profile)
TARGETS = {
    "wall_s": (17.0, "s", (50000, 5)),
    "client_cpu_ms_per_alloc": (0.4, "ms", (50000, 5)),
    "peak_rss_mb": (300.0, "MB", (50000, 5)),
    "http_per_alloc": (0.05, "", (2000, 2)),
}


def target_note(args: argparse.Namespace, name: str, value: float) -> str:
    """ "target <= 17 s at N=50000, E=5", with "met"/"NOT met" when this run is the one it applies to."""
    limit, unit, (n, e) = TARGETS[name]
    note = f"target <= {limit:g}{' ' + unit if unit else ''} at N={n}, E={e}"
    if (args.n, args.endpoints, args.profile) == (n, e, "ecs-3.8"):
        note += ": met" if value <= limit else ": NOT met"
    return note


def report(args: argparse.Namespace, f: dict, setup_s: float) -> None:
    """The table, then the JSON line (the last line of the output)."""
    result = summary(args, f, setup_s)
    rows = table(args, f, result)
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<22} {note}")
    print(json.dumps(result))


def summary(args: argparse.Namespace, f: dict, setup_s: float) -> dict:
    """The JSON line: every figure of the run, rounded."""
    n, e, lat, conc = args.n, args.endpoints, args.latency_ms, args.concurrency
    predicted = formula(args)["total"]
    floor = predicted * lat / (conc * e) / 1000
    logins = f["logins_first"] + f["logins_nochange"]
    result = {
        "n": n,
        "endpoints": e,
        "latency_ms": lat,
        "concurrency": conc,
        "profile": args.profile,
        "cost_formula": formula(args),
        "cost_first": f["terms_first"],
        "cost_nochange": f["terms_nochange"],
        "client_cpu_ms_per_alloc": round(1000 * f["client_cpu_s"] / n, 3),
        "wall_s": round(f["wall_s"], 3),
        "wall_nochange_s": round(f["wall_nochange_s"], 3),
        "floor_s": round(floor, 3),
        "wall_over_floor": round(f["wall_s"] / floor, 3) if floor else None,
        "http_per_alloc": round(f["http_first"] / n, 4),
        "http_per_alloc_nochange": round(f["http_nochange"] / n, 4),
        "sql_per_alloc": round(f["sql_first"] / n, 4),
        "sql_per_alloc_nochange": round(f["sql_nochange"] / n, 4),
        "sql_first": f["sql_first"],
        "sql_nochange": f["sql_nochange"],
        "logins_per_endpoint": max(logins) if logins else 0,
        "history_rows_first": f["history_rows_first"],
        "history_rows_nochange": f["history_rows_nochange"],
        "peak_rss_mb": round(f["peak_rss_mb"], 1),
        "provision_http": f.get("provision_http"),
        "provision_sql": f.get("provision_sql"),
        "provision_s": round(f["provision_s"], 3) if "provision_s" in f else None,
        "quota_change_http": f.get("quota_change_http"),
        "quota_change_sql": f.get("quota_change_sql"),
        "quota_change_s": round(f["quota_change_s"], 3) if "quota_change_s" in f else None,
        "client_cpu_s": round(f["client_cpu_s"], 3),
        "client_cpu_nochange_s": round(f["client_cpu_nochange_s"], 3),
        "sim_cpu_s": round(f["sim_cpu_s"], 3),
        "updated_first": f["updated_first"],
        "unchanged_nochange": f["unchanged_nochange"],
        "failed": f["failed"],
        "setup_s": round(setup_s, 1),
        "cpus": os.cpu_count(),
        "load_1min": round(f["load_1min"], 2),
    }
    if "provision_error" in f:
        result["provision_error"] = f["provision_error"]
    return result


def table(args: argparse.Namespace, f: dict, result: dict) -> list[tuple[str, str, str]]:
    """(figure, measured, target or note) rows; each issue-9 target says whether this run met it."""
    return [
        ("allocations / endpoints", f"{args.n} / {args.endpoints}", ""),
        ("latency / concurrency", f"{args.latency_ms} ms / {args.concurrency}", ""),
        ("machine", f"{result['cpus']} CPUs, load {result['load_1min']}", "1-min load average, higher of before/after"),
        (
            "wall, first run (all change)",
            f"{result['wall_s']} s",
            f"floor {result['floor_s']} s (the formula's requests' latency), x{result['wall_over_floor']}; "
            + target_note(args, "wall_s", result["wall_s"]),
        ),
        ("wall, no-change run", f"{result['wall_nochange_s']} s", ""),
        ("profile", args.profile, ""),
        (
            "HTTP requests / allocation",
            f"{result['http_per_alloc']} / {result['http_per_alloc_nochange']}",
            target_note(args, "http_per_alloc", result["http_per_alloc"]),
        ),
        ("cost formula terms, first / no-change", "", "see README, Performance"),
        *cost_rows(args, f),
        (
            "SQL queries / allocation",
            f"{result['sql_per_alloc']} / {result['sql_per_alloc_nochange']}",
            f"{f['sql_first']} / {f['sql_nochange']} total; target <= 0.05",
        ),
        ("logins per endpoint", str(result["logins_per_endpoint"]), "target 1"),
        ("history rows", f"{result['history_rows_first']} / {result['history_rows_nochange']}", "no-change target 0"),
        (
            "peak RSS (sync process)",
            f"{result['peak_rss_mb']} MB",
            target_note(args, "peak_rss_mb", result["peak_rss_mb"]),
        ),
        (
            "CPU client / simulators",
            f"{result['client_cpu_s']} s / {result['sim_cpu_s']} s",
            f"first run; client {result['client_cpu_nochange_s']} s on the no-change run",
        ),
        (
            "client CPU / allocation",
            f"{result['client_cpu_ms_per_alloc']} ms",
            target_note(args, "client_cpu_ms_per_alloc", result["client_cpu_ms_per_alloc"]),
        ),
        (
            "provisioning HTTP / SQL",
            f"{result['provision_http']} / {result['provision_sql']}",
            f"{result['provision_s']} s; target <= 8 HTTP (README)",
        ),
        (
            "quota change HTTP / SQL",
            f"{result['quota_change_http']} / {result['quota_change_sql']}",
            f"{result['quota_change_s']} s",
        ),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
