"""The layers of live/ hold: each folder imports only the folders below it, the core imports no
framework, the transport nothing else of live, and no module imports itself through others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_linter_contracts_in_pyproject_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("live", cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                cycles.append(graph.find_shortest_chain(importer=imported, imported=module) + (imported,))
    assert not cycles, "\n".join(" → ".join(chain) for chain in cycles)


def test_every_module_of_live_is_in_a_layer():
    """A new module lands in its room: only the package's door, the command and the factory stand
    outside the layer folders."""
    layers = {"core", "services", "store", "formats", "web", "realtime", "transport", "tools"}
    loose = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "live").glob("*.py")
        if path.name not in ("__init__.py", "__main__.py", "app.py")
    )
    assert loose == []
    folders = {p.name for p in (ROOT / "live").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == layers


def test_every_test_file_has_a_name_of_its_own():
    """pytest imports each test file by its name alone (the folders have no __init__.py): two files
    of one name in two layers' folders stop the whole run at collection."""
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
