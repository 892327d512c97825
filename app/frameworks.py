"""The framework versions on disk, loaded once per process (the files are immutable once used)."""

from __future__ import annotations

import logging
from functools import lru_cache

from flask import abort, current_app

from .engine import Framework, load_each

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _registry(root: str) -> dict[tuple[str, str], Framework]:
    """The versions that load. A broken folder is logged and left out rather than stopping
    every assessment: `flask framework load` (run by `make run` and on deploys) refuses it, and
    the administrators' frameworks page lists its problems."""
    loaded, problems = load_each(root)
    for problem in problems:
        logger.error("framework not loaded: %s", problem)
    return loaded


def registry() -> dict[tuple[str, str], Framework]:
    return _registry(current_app.config["FRAMEWORK_ROOT"])


def get(framework_id: str, version: str) -> Framework:
    """The exact version an assessment is pinned to."""
    try:
        return registry()[(framework_id, version)]
    except KeyError:
        abort(500, f"Framework {framework_id} {version} is not on this server")


def _version_key(version: str) -> tuple[int, ...]:
    """ "1.10.0" after "1.9.0": the loader accepts only whole numbers separated by dots."""
    return tuple(int(p) for p in version.split("."))


def latest(framework_id: str | None = None) -> Framework:
    """The newest version of a framework: what a new assessment uses."""
    framework_id = framework_id or current_app.config["DEFAULT_FRAMEWORK"]
    versions = [fw for (fid, _), fw in registry().items() if fid == framework_id]
    if not versions:
        raise LookupError(
            f"No framework {framework_id!r} under {current_app.config['FRAMEWORK_ROOT']}"
        )
    return max(versions, key=lambda fw: _version_key(fw.version))


def for_assessment(assessment) -> Framework:
    return get(assessment.framework_id, assessment.framework_version)
