"""A framework folder with a mistake in it, copied onto a running server, leaves the versions
that load working: assessments pinned to them open, and new ones start on the newest that loads.
Administrators see what is wrong with the broken folder, by file, line and item."""

from __future__ import annotations

import shutil
from pathlib import Path

from app import frameworks
from tests.helpers import make_assessment

SHIPPED = Path(__file__).resolve().parents[2] / "framework"


def test_a_broken_new_version_leaves_the_others_working(world, login_as, app, tmp_path):
    root = tmp_path / "framework"
    shutil.copytree(SHIPPED, root)
    broken = root / "blanket-restrictions-9"
    shutil.copytree(root / "blanket-restrictions-1.3.0", broken)
    manifest = broken / "framework.yaml"
    manifest.write_text(manifest.read_text().replace('version: "1.3.0"', 'version: "9.0.0"'))
    doors = broken / "doors.yaml"
    doors.write_text(doors.read_text().replace("priority: high", "priority: urgent", 1))
    app.config["FRAMEWORK_ROOT"] = str(root)

    draft = make_assessment(world.oak, world.oak_lead, answers={})
    assert draft.framework_version == "1.3.0"  # the newest version that loads
    assert frameworks.latest().version == "1.3.0"
    client = login_as(world.oak_lead)
    assert client.get(f"/assessments/{draft.id}").status_code == 200

    page = login_as(world.admin).get("/admin/frameworks").get_data(as_text=True)
    assert "blanket-restrictions-9/doors.yaml" in page
    assert "Not on this server" not in page  # the versions that load are listed as loaded
    assert (
        "priority must be &#39;high&#39;, &#39;medium&#39; or &#39;low&#39;, not &#39;urgent&#39;"
        in page
    )
