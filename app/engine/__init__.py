"""The framework engine: pure Python, no Flask, no database.

    from app.engine import load, validate, score, plan, summary, load_all

See docs/architecture.md (contracts), docs/framework-format.md (the YAML) and docs/scoring.md.
"""

from .loader import FrameworkError, Problem, load, load_all, load_each, summary, validate
from .model import (
    NEVER_JUSTIFIED_WORDS,
    ActionSpec,
    Condition,
    Domain,
    Framework,
    Item,
    Option,
    Question,
    RagBand,
    Reference,
    Scoring,
    Source,
    visible_questions,
)
from .scoring import (
    DomainScore,
    ItemScore,
    OverallScore,
    PlannedAction,
    Restriction,
    Result,
    as_planned,
    percent,
    plan,
    score,
)

__all__ = [
    "NEVER_JUSTIFIED_WORDS",
    "ActionSpec",
    "as_planned",
    "Condition",
    "Domain",
    "DomainScore",
    "Framework",
    "FrameworkError",
    "Item",
    "ItemScore",
    "Option",
    "OverallScore",
    "PlannedAction",
    "Problem",
    "Question",
    "RagBand",
    "Reference",
    "Restriction",
    "Result",
    "Scoring",
    "Source",
    "load",
    "load_all",
    "load_each",
    "percent",
    "plan",
    "score",
    "summary",
    "validate",
    "visible_questions",
]
