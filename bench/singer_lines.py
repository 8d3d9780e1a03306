"""Print a Singer stream of generated `apartment` records: what a target benchmark pipes in.

`python -m bench.singer_lines --records N [--state-every 1000]` writes one SCHEMA line, N RECORD lines
with unique external ids and a valid value for the seeded `apartment` object's fields, and a STATE line
after every `--state-every` records (a tap's page), as its own process so none of its CPU is the target's.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

STREAM = "bench_apartments"
SCHEMA = {
    "type": "SCHEMA",
    "stream": STREAM,
    "key_properties": ["external_id"],
    "schema": {
        "type": "object",
        "properties": {
            "external_id": {"type": "string"},
            "name": {"type": ["string", "null"]},
            "custom_object_fields": {"type": "object"},
        },
    },
}
KINDS = ("studio", "flat", "house")
AMENITIES = ("balcony", "elevator", "parking", "garden")


def record(number: int) -> dict[str, object]:
    """Return generated apartment number `number` (deterministic)."""
    return {
        "external_id": f"bench-{number}",
        "name": f"Apartment {number}",
        "custom_object_fields": {
            "address": f"{number} Benchmark Street",
            "notes": "generated for the benchmark",
            "rooms": 1 + number % 6,
            "rent": 500 + number % 2000 + 0.5,
            "furnished": number % 2 == 0,
            "available_on": f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}",
            "kind": KINDS[number % len(KINDS)],
            "amenities": [AMENITIES[number % len(AMENITIES)]],
            "postcode": f"{10000 + number % 89999:05d}",
        },
    }


def write_stream(records: int, state_every: int, out: TextIO) -> None:
    """Write the whole stream to `out`."""
    write = out.write
    write(json.dumps(SCHEMA) + "\n")
    extracted = "2026-01-01T00:00:00+00:00"
    for number in range(1, records + 1):
        message = {"type": "RECORD", "stream": STREAM, "record": record(number), "time_extracted": extracted}
        write(json.dumps(message, separators=(",", ":")) + "\n")
        if number % state_every == 0 or number == records:
            write(json.dumps({"type": "STATE", "value": {"bench": {"records": number}}}) + "\n")


def main() -> None:
    """Parse the options and write the stream."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--state-every", type=int, default=1000)
    args = parser.parse_args()
    write_stream(args.records, args.state_every, sys.stdout)


if __name__ == "__main__":
    main()
