"""Uploads and thumbnails: pocketlite against PocketBase with a 2000x1500 JPEG.

    python -m bench.files [--rounds 20]

Per round, on each server (CPU 0; this process on CPU 1): upload the photo in a new record,
fetch a `100x100` thumbnail (made on this request), fetch it again (cached), and download the
original. Reported: the median and worst time of each step, and their ratios."""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import time

import httpx
from PIL import Image

from bench.records import EMAIL, PASSWORD, Target, both_servers

COLLECTION = {
    "name": "photos",
    "listRule": "",
    "viewRule": "",
    "fields": [{"name": "image", "type": "file", "maxSelect": 1, "maxSize": 20 << 20}],
}


def photo() -> bytes:
    """A 2000x1500 JPEG with detail (noise over a gradient), about the size a phone uploads."""
    gradient = Image.linear_gradient("L").resize((2000, 1500))
    image = Image.merge("RGB", (gradient, Image.effect_noise((2000, 1500), 40), gradient.rotate(180)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def run(target: Target, data: bytes, rounds: int) -> dict[str, list[float]]:
    target.data_dir.parent.mkdir(parents=True)
    target.cli("superuser", "upsert", EMAIL, PASSWORD)
    target.start()
    login = {"identity": EMAIL, "password": PASSWORD}
    token = httpx.post(f"{target.url}/api/collections/_superusers/auth-with-password", json=login).json()[
        "token"
    ]
    headers = {"Authorization": token}
    httpx.post(f"{target.url}/api/collections", json=COLLECTION, headers=headers).raise_for_status()
    times: dict[str, list[float]] = {"upload": [], "thumb (made)": [], "thumb (cached)": [], "download": []}
    with httpx.Client(base_url=target.url, timeout=60, headers=headers) as http:
        for _ in range(rounds):
            started = time.perf_counter()
            response = http.post("/api/collections/photos/records", files={"image": ("photo.jpg", data)})
            times["upload"].append(time.perf_counter() - started)
            record = response.raise_for_status().json()
            url = f"/api/files/photos/{record['id']}/{record['image']}"
            for step, query in (
                ("thumb (made)", "?thumb=100x100"),
                ("thumb (cached)", "?thumb=100x100"),
                ("download", ""),
            ):
                started = time.perf_counter()
                http.get(url + query).raise_for_status()
                times[step].append(time.perf_counter() - started)
    target.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    args = parser.parse_args()
    tmp, targets = both_servers("bench-files-", args.pocketlite)
    data = photo()
    try:
        results = {t.name: run(t, data, args.rounds) for t in targets}
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"2000x1500 JPEG ({len(data) / 1024:.0f} KiB), {args.rounds} rounds; times in ms (median / max)")
    header = f"{'step':<16}{'pocketlite':>18}{'PocketBase':>18}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for step in results["pocketlite"]:
        ours, theirs = results["pocketlite"][step], results["PocketBase"][step]
        mine, base = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
        print(
            f"{step:<16}{f'{mine:.1f} / {max(ours) * 1000:.1f}':>18}"
            f"{f'{base:.1f} / {max(theirs) * 1000:.1f}':>18}{base / mine:>8.2f}"
        )
    print("ratio = PocketBase time / pocketlite time (above 1: pocketlite is faster)")


if __name__ == "__main__":
    main()
