"""The apps depend one way, and the documentation says which way."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return list(contract["layers"])


def _documented_layers() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    rows = re.findall(r"^\| (\d+) \| `cercle/([a-z_]+)(?:\.py)?` \|", text, re.M)
    assert rows, "docs/architecture.md has lost its table of layers"
    assert [int(n) for n, _ in rows] == list(range(1, len(rows) + 1))
    return [f"cercle.{name}" for _, name in rows]


def test_the_documented_layers_are_the_checked_ones():
    # The doc lists the kernel first; the contract lists the edge first.
    assert _documented_layers() == list(reversed(_contract_layers()))


def test_every_app_is_in_a_layer():
    apps = {p.parent.name for p in (ROOT / "cercle").glob("*/__init__.py")}
    layered = {name.removeprefix("cercle.") for name in _contract_layers()}
    assert apps <= layered, f"apps outside the layers contract: {sorted(apps - layered)}"


def test_no_import_goes_against_the_layers():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
