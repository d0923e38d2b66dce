"""Driver analysis: which service items move passengers' overall satisfaction most.

Method: a logistic regression of "satisfied" (yes/no) on the 14 service items,
each standardised (mean 0, standard deviation 1), so that the coefficients compare:
each is the change in the log-odds of being satisfied for one standard deviation
more on that item, the others held equal. 95 % intervals come from a bootstrap
(the rows resampled with replacement, the model refitted each time, the 2.5th and
97.5th percentiles kept). When the file says who answered (customer type, type
of travel, class), those are held equal too, as indicator variables, so that an
item is not credited with the difference between business and leisure travellers.
A rating of 0 means "not applicable" and is replaced by the item's mean of the
answers that rated it (0 after standardising), so the row still counts for the
other items; the share of such answers is shown per item.

Limits, shown with the result: the answers are one survey's, not a designed
experiment, so a coefficient says how an item goes with satisfaction, not that
changing it would cause as much; items that move together (seat comfort and
entertainment, say) share their influence and their coefficients are less certain
than each looks alone; whatever else differs between passengers and is not in the
file (delays, routes) still mixes in; and the verdict is two-valued, so intensity
is lost.
"""

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from paxcare.errors import FieldError, InvalidInput
from paxcare.insights.models import DriverAnalysis
from paxcare.routing.models import Role
from paxcare.routing.services import agent_profile

logger = logging.getLogger(__name__)

METHOD = "logistic-regression-standardised-bootstrap"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MIN_ROWS = 200
DEFAULT_BOOTSTRAP = 200
# An upload is answered while the person waits: fewer resamples, wider intervals
# by a few hundredths at most on 25,000 answers.
UPLOAD_BOOTSTRAP = 100
OUTCOME = "satisfaction"
SATISFIED = {"satisfied", "1", "yes", "true", "满意"}
NOT_SATISFIED = {
    "neutral or dissatisfied",
    "dissatisfied",
    "neutral",
    "0",
    "no",
    "false",
    "不满意",
}

# The items of the survey, as its columns are named, with what people read.
ITEMS: dict[str, Any] = {
    "Inflight wifi service": gettext_lazy("In-flight wi-fi"),
    "Departure/Arrival time convenient": gettext_lazy(
        "Convenient departure and arrival times"
    ),
    "Ease of Online booking": gettext_lazy("Ease of online booking"),
    "Gate location": gettext_lazy("Gate location"),
    "Food and drink": gettext_lazy("Food and drink"),
    "Online boarding": gettext_lazy("Online boarding"),
    "Seat comfort": gettext_lazy("Seat comfort"),
    "Inflight entertainment": gettext_lazy("In-flight entertainment"),
    "On-board service": gettext_lazy("On-board service"),
    "Leg room service": gettext_lazy("Leg room"),
    "Baggage handling": gettext_lazy("Baggage handling"),
    "Checkin service": gettext_lazy("Check-in service"),
    "Inflight service": gettext_lazy("In-flight service"),
    "Cleanliness": gettext_lazy("Cleanliness"),
}


# Who answered, when the file says: held equal in the model, not reported as drivers.
CONTROLS = ("Customer Type", "Type of Travel", "Class")


@dataclass
class Answers:
    ratings: np.ndarray  # rows x items, 0 = not applicable
    satisfied: np.ndarray  # rows, 0 or 1
    skipped: list[tuple[int, str]]
    controls: np.ndarray | None = None  # rows x indicator columns
    control_names: tuple[str, ...] = ()


def read_answers(lines: Iterable[str]) -> Answers:
    """Read survey answers from CSV text; raise InvalidInput when unusable.

    Rows with a missing or non-numeric rating, a rating outside 0-5, or an unknown
    verdict are skipped and listed with their line number.
    """
    reader = csv.DictReader(lines)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in [*ITEMS, OUTCOME] if name not in header]
    if missing:
        raise InvalidInput(
            [
                FieldError(
                    "file",
                    _("Missing columns: %(columns)s.")
                    % {"columns": ", ".join(missing)},
                    "missing_columns",
                )
            ]
        )
    reader.fieldnames = header
    controls = [name for name in CONTROLS if name in header]
    ratings, verdicts, skipped, groups = [], [], [], []
    for row in reader:
        line = reader.line_num
        try:
            values = [int(str(row[item]).strip()) for item in ITEMS]
        except (TypeError, ValueError):
            skipped.append((line, "rating is not a whole number"))
            continue
        verdict = str(row[OUTCOME] or "").strip().lower()
        if any(not 0 <= value <= 5 for value in values):
            skipped.append((line, "rating outside 0-5"))
        elif verdict not in SATISFIED | NOT_SATISFIED:
            skipped.append((line, "unknown satisfaction verdict"))
        else:
            ratings.append(values)
            verdicts.append(1 if verdict in SATISFIED else 0)
            groups.append(tuple(str(row[name] or "").strip() for name in controls))
    indicators, names = _indicators(controls, groups)
    return Answers(
        np.array(ratings, dtype=float).reshape(-1, len(ITEMS)),
        np.array(verdicts, dtype=int),
        skipped,
        indicators,
        names,
    )


def _indicators(
    controls: list[str], groups: list[tuple[str, ...]]
) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Return 0/1 columns per value of each control, the most common value left out."""
    columns, names = [], []
    for index, control in enumerate(controls):
        values = [group[index] for group in groups]
        levels = sorted(set(values), key=lambda v: (-values.count(v), v))
        for level in levels[1:]:
            columns.append([1.0 if value == level else 0.0 for value in values])
            names.append(f"{control}={level}")
    if not columns:
        return None, ()
    return np.array(columns).T, tuple(names)


def _standardised(ratings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return z-scores (N/A at the item mean), the answered means and N/A shares."""
    answered = ratings > 0
    counts = answered.sum(axis=0)
    means = np.where(
        counts > 0, (ratings * answered).sum(axis=0) / np.maximum(counts, 1), 0
    )
    filled = np.where(answered, ratings, means)
    spread = filled.std(axis=0)
    spread[spread == 0] = 1.0
    return (filled - means) / spread, means, 1 - counts / len(ratings)


def _fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    # C so large that the penalty is negligible: an ordinary maximum-likelihood fit.
    model = LogisticRegression(C=1e6, solver="newton-cholesky", max_iter=200)
    model.fit(x, y)
    return model


def analyse(
    answers: Answers, bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 7
) -> dict:
    """Return the driver analysis of the answers (see the module's docstring)."""
    if len(answers.satisfied) < MIN_ROWS or len(set(answers.satisfied)) < 2:
        raise InvalidInput(
            [
                FieldError(
                    "file",
                    _("At least %(n)d usable answers, satisfied and not, are needed.")
                    % {"n": MIN_ROWS},
                    "too_few",
                )
            ]
        )
    x, means, not_applicable = _standardised(answers.ratings)
    if answers.controls is not None:
        x = np.hstack([x, answers.controls])
    y = answers.satisfied
    model = _fit(x, y)
    coefficients = model.coef_[0]
    rng = np.random.default_rng(seed)
    draws = np.empty((bootstrap, len(ITEMS)))
    for index in range(bootstrap):
        sample = rng.integers(0, len(y), len(y))
        draws[index] = _fit(x[sample], y[sample]).coef_[0][: len(ITEMS)]
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    items = [
        {
            "item": item,
            "coefficient": round(float(coefficients[i]), 4),
            "ci_low": round(float(low[i]), 4),
            "ci_high": round(float(high[i]), 4),
            "odds_ratio": round(float(np.exp(coefficients[i])), 3),
            "mean_rating": round(float(means[i]), 2),
            "not_applicable_share": round(float(not_applicable[i]), 4),
        }
        for i, item in enumerate(ITEMS)
    ]
    items.sort(key=lambda entry: -entry["coefficient"])
    return {
        "method": METHOD,
        "rows": int(len(y)),
        "skipped": len(answers.skipped),
        "satisfied_share": round(float(y.mean()), 4),
        "bootstrap": bootstrap,
        "seed": seed,
        "auc": round(float(roc_auc_score(y, model.predict_proba(x)[:, 1])), 4),
        "pseudo_r2": round(_mcfadden(model, x, y), 4),
        "controls": list(answers.control_names),
        "items": items,
    }


def _mcfadden(model: LogisticRegression, x: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(model.predict_proba(x)[:, 1], 1e-12, 1 - 1e-12)
    fitted = np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
    share = y.mean()
    null = len(y) * (share * np.log(share) + (1 - share) * np.log(1 - share))
    return float(1 - fitted / null)


# --- Use cases -------------------------------------------------------------------


def may_analyse(user) -> bool:
    """Supervisors, analysts and administrators load survey files."""
    if user.is_superuser:
        return True
    profile = agent_profile(user)
    return profile is not None and profile.role in (
        Role.SUPERVISOR,
        Role.AUDITOR,
        Role.ADMIN,
    )


def analyse_text(
    lines: Iterable[str],
    source_name: str,
    *,
    actor=None,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 7,
) -> DriverAnalysis:
    """Analyse survey answers and keep the result; raise InvalidInput if unusable."""
    answers = read_answers(lines)
    result = analyse(answers, bootstrap=bootstrap, seed=seed)
    result["skipped_lines"] = answers.skipped[:20]
    with transaction.atomic():
        analysis = DriverAnalysis.objects.create(
            created_at=timezone.now(),
            created_by=actor,
            source_name=source_name[:255],
            rows=result["rows"],
            method=METHOD,
            result=result,
        )
    logger.info(
        "insights: driver analysis %s over %d answers", analysis.pk, result["rows"]
    )
    return analysis


def analyse_upload(upload, *, actor) -> DriverAnalysis:
    """Analyse an uploaded CSV file (UTF-8, a byte-order mark allowed)."""
    try:
        text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
        return analyse_text(text, upload.name, actor=actor, bootstrap=UPLOAD_BOOTSTRAP)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            [FieldError("file", _("Save the file as UTF-8 CSV."), "encoding")]
        ) from error


def latest_analysis() -> DriverAnalysis | None:
    return DriverAnalysis.objects.first()


def result_rows(analysis: DriverAnalysis) -> list[dict[str, Any]]:
    """Return the items of an analysis for display, strongest driver first."""
    items = analysis.result.get("items", [])
    top = max((abs(entry["coefficient"]) for entry in items), default=0) or 1
    return [
        {
            **entry,
            "label": str(ITEMS.get(entry["item"], entry["item"])),
            "rank": rank,
            "bar_percent": round(100 * max(entry["coefficient"], 0) / top),
            "certain": entry["ci_low"] > 0 or entry["ci_high"] < 0,
        }
        for rank, entry in enumerate(items, start=1)
    ]
