"""What hooks cost on the write path: records create and update with no hooks, with an empty
hook bound, and with one hook that changes a field — pocketlite (`pb_hooks/*.py`) against
PocketBase (the same hook in `pb_hooks/*.pb.js`), paired runs.

    python -m bench.hooks [--duration 5] [--connections 4] [--posts 10000] [--rounds 3]

Reports, per workload, the ratios that matter: pocketlite with an empty hook and with a field
hook to pocketlite without hooks (the hook chain's own cost), and pocketlite to PocketBase when
both run the field hook. Same data and pinning as `bench.records`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys

import httpx

from bench.records import USER_ID, Result, Target, _load, both_servers, seed, workloads

PY_HOOKS = {
    "empty": """
from pocketlite import hooks


@hooks.on_record_create("posts")
@hooks.on_record_update("posts")
async def passthrough(e):
    await e.next()
""",
    "field": """
from pocketlite import hooks


@hooks.on_record_create("posts")
@hooks.on_record_update("posts")
async def stamp(e):
    e.record.set("title", e.record.get_string("title") + "!")
    await e.next()
""",
}

JS_HOOKS = {
    "field": """
onRecordCreate((e) => {
    e.record.set("title", e.record.get("title") + "!")
    e.next()
}, "posts")

onRecordUpdate((e) => {
    e.record.set("title", e.record.get("title") + "!")
    e.next()
}, "posts")
""",
}

WORKLOADS = ("create as user", "update as user")


def _check_hook(target: Target, changes_titles: bool) -> None:
    """The hook is live (or absent) as the variant says: a created post's title shows it."""
    created = httpx.post(
        f"{target.url}/api/collections/posts/records",
        json={"title": "probe", "author": USER_ID},
        headers={"Authorization": target.user},
    )
    created.raise_for_status()
    title = created.json()["title"]
    if title != ("probe!" if changes_titles else "probe"):
        raise RuntimeError(f"{target.name}: the hook did not run as expected (title {title!r})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    args = parser.parse_args()

    tmp, (pocketlite, pocketbase) = both_servers("bench-hooks-", args.pocketlite)
    targets: dict[str, Target] = {}
    for variant in ("none", "empty", "field"):
        targets[f"pocketlite/{variant}"] = Target(
            f"pocketlite/{variant}", pocketlite.command, tmp / f"pl-{variant}" / "pb_data"
        )
    for variant in ("none", "field"):
        targets[f"PocketBase/{variant}"] = Target(
            f"PocketBase/{variant}", pocketbase.command, tmp / f"pb-{variant}" / "pb_data"
        )
    rates: dict[str, dict[str, list[float]]] = {w: {name: [] for name in targets} for w in WORKLOADS}
    try:
        for name, target in targets.items():
            target.data_dir.parent.mkdir(parents=True)
            variant = name.split("/")[1]
            hooks_dir = target.data_dir.parent / "pb_hooks"
            if name.startswith("pocketlite") and variant in PY_HOOKS:
                hooks_dir.mkdir()
                (hooks_dir / "bench.py").write_text(PY_HOOKS[variant])
            if name.startswith("PocketBase") and variant in JS_HOOKS:
                hooks_dir.mkdir()
                (hooks_dir / "bench.pb.js").write_text(JS_HOOKS[variant])
            print(f"seeding {name}…", file=sys.stderr)
            seed(target, args.posts)
            _check_hook(target, variant == "field")
        for _ in range(args.rounds):
            for workload in WORKLOADS:
                for name, target in targets.items():
                    make = workloads(target, args.posts)[workload]
                    asyncio.run(_load(target, make, 1.0, args.connections))
                    result: Result = asyncio.run(_load(target, make, args.duration, args.connections))
                    rates[workload][name].append(result.rate)
                    print(
                        f"{workload:<16} {name:<18} {result.rate:8.0f} req/s errors {result.errors}",
                        file=sys.stderr,
                    )
    finally:
        for target in targets.values():
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def span(a: str, b: str, workload: str) -> str:
        ratios = [x / y for x, y in zip(rates[workload][a], rates[workload][b], strict=True) if y]
        return f"{min(ratios):.2f}-{max(ratios):.2f}"

    print(f"ratio min-max over {args.rounds} paired runs, {args.connections} connections:")
    pairs = [
        ("pocketlite empty hook / no hooks", "pocketlite/empty", "pocketlite/none"),
        ("pocketlite field hook / no hooks", "pocketlite/field", "pocketlite/none"),
        ("PocketBase JS field hook / no hooks", "PocketBase/field", "PocketBase/none"),
        ("pocketlite / PocketBase, field hook", "pocketlite/field", "PocketBase/field"),
        ("pocketlite / PocketBase, no hooks", "pocketlite/none", "PocketBase/none"),
    ]
    for workload in WORKLOADS:
        print(f"  {workload}")
        for label, a, b in pairs:
            print(f"    {label:<38}{span(a, b, workload)}")


if __name__ == "__main__":
    main()
