"""The staff screens of the kill -9 measurement, in a process of their own (bench/run.py starts it).

    python bench/screens.py URL LINKS_JSON STAFF

On the day the staff screens are other devices. In the generator's process they wait for its core
while 10,000 phones reconnect: measured that way on a 2-core machine, they were back 2.0–2.6 s after
the restart, while one more screen in a process of its own had its snapshot 0.1 s after the server
answered (and in 5 ms a little later, with the phones' storm under way): the figure was the
generator's. Here they open their connections (the same client, the same reconnection delays as the
screens' pages), print ``ready``; once the server went away and came back, they print the Unix time
at which the last of them received a new ``state.snapshot`` (the kernel's receive stamp), as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from live.tools.loadgen import Options, Rehearsal  # noqa: E402

WAIT = 120.0  # seconds for the server to go away, and again to come back


async def _until(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.01)
    return True


async def main(url: str, links: dict[str, str], staff: int) -> dict:
    run = Rehearsal(Options(url=url, links=links, phones=0, staff=staff, progress=False))
    run.log = lambda line: print(line, file=sys.stderr, flush=True)
    try:
        await run.setup()
        if not all(s.synced.is_set() for s in run.staff):
            return {"error": "not every staff screen received its first snapshot"}
        print("ready", flush=True)
        if not await _until(lambda: run.stats.staff_connected == 0, WAIT):
            return {"error": "the server did not go away"}
        if not await _until(lambda: all(s.synced.is_set() for s in run.staff), WAIT):
            return {"error": "not every staff screen came back", "synced": sum(s.synced.is_set() for s in run.staff)}
        return {"synced_at": max(s.synced_at for s in run.staff)}
    finally:
        await run.close()


if __name__ == "__main__":
    result = asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])))
    print(json.dumps(result), flush=True)
