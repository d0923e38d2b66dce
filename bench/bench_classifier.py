"""Benchmark the text classifier on real passenger messages.

Run from the project root: ``.venv/bin/python bench/bench_classifier.py``. It reads
two public data sets from ``../shared/data`` (never shipped with the product) and
prints Markdown tables:

- English: the negative tweets with a complaint reason, mapped to our codes, split
  80/20 stratified with a fixed seed; macro F1 over the nine reasons for a plain TF-IDF
  + linear SVM baseline, our model, our model with the seed examples added, and the
  default (seed-only) model; prediction time per text; confidence against accuracy.
- Chinese: the air-travel questions whose intent maps to one of our codes; the default
  model's accuracy on them and a 5-fold cross-validated model trained on them.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from paxcare.triage import classifier  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
TWEETS = DATA / "airline_tweets_train.csv"
QUESTIONS = DATA / "air_travel_questions_zh_train.csv"

# Tweet reason -> our code. "Can't Tell" is left out.
REASONS = {
    "Late Flight": "flight.delay",
    "Cancelled Flight": "flight.cancellation",
    "Lost Luggage": "baggage.lost",
    "Damaged Luggage": "baggage.damaged",
    "Flight Booking Problems": "ticketing.booking",
    "Customer Service Issue": "service.customer_service",
    "Flight Attendant Complaints": "service.cabin_crew",
    "longlines": "service.queues",
    "Bad Flight": "service.onboard_product",
}
# A prediction of a listed code also counts as right for the key.
TWEET_ALSO_RIGHT = {"baggage.lost": {"baggage.delayed"}}

_CHECK_IN = (
    "值机开放时间 值机柜台 取消值机 电子登机牌 网上值机 值机流程 值机截止时间 登机牌遗失 "
    "国际及地区航班值机开放时间 如何补打登机牌 手机值机 网上办理值机后如何乘机 登机牌信息介绍 "
    "自助行李托运及值机 代办登机牌 航班延误值机时间 办理值机的APP 儿童值机 往返票值机 "
    "登机、过检时间 乘机流程 如何快速乘机 电子登机牌乘机流程 短信值机 柜台值机流程 "
    "婴儿旅客值机 儿童票取消值机 机场截载时间 柜台值机截止时间 自助值机截止时间"
)
_UPGRADE = (
    "如何升舱 升舱价格 登机口升舱 升舱须知 积分升舱 升舱服务 选座座位被更改 预订座位 "
    "柜台值机选座 选座 取消预订座位 更改预订座位 选座失败 帮别人选座 座位分布图 "
    "什么座位好 预订座位是否成功 值机选座 柜台值机选座截止时间"
)
_DOCUMENTS = (
    "发票如何获取 行程单打印 行程单如何获取 发票 如何补打行程单 如何查看电子行程单 "
    "行程单邮寄 行程单打印时效 行程单信息查询 行程单、发票如何获取"
)
_BOOKING = (
    "儿童票/婴儿票票价 如何购买儿童票 婴儿旅客购票 儿童票 购买儿童票后如何取票 "
    "儿童可以买成人票吗 购买儿童票的条件 网络订票 团队票 如何购买联程客票"
)
_LOYALTY = (
    "会员旅客 会员卡办理 会员积分 会员卡权益 如何用里程兑换机票 会员办理 会员卡升级 "
    "会员权益 会员专属优惠券 会员累积里程 会员年卡办理 会员升级"
)
_ACCESSIBILITY = "无人陪伴儿童旅客 年长旅客 普通病患旅客 孕妇旅客 特殊旅客服务 担架旅客"
_INFO = (
    "机场电话 航站楼之间怎么走 停车场收费标准 停车场信息查询 中转 中转时间 中转柜台 "
    "机场信息 登机口信息 行李寄存 母婴室信息"
)
_ONBOARD = "餐饮 机上娱乐项目 机上wifi 机上杂志与报纸 饮用水 特殊餐食"
_SIMPLE = {
    "baggage.allowance": "行李限额 行李托运 行李托运规定 行李额叠加 特殊行李 禁止/限制托运物品",
    "baggage.pets": "动物",
    "airport.security": "安检须知",
    "service.lost_and_found": "失物招领",
    "service.customer_service": "客服电话 航空公司电话 航司电话 人工客服电话",
    "flight.denied_boarding": "航班超售",
    "ticketing.refund": "疫情退票政策 手机如何办理退票 机票如何取消",
    "airport.check_in": _CHECK_IN,
    "ticketing.upgrade": _UPGRADE,
    "ticketing.documents": _DOCUMENTS,
    "ticketing.booking": _BOOKING,
    "loyalty.miles": _LOYALTY,
    "service.accessibility": _ACCESSIBILITY,
    "airport.info": _INFO,
    "service.onboard_product": _ONBOARD,
}
# Intents that name two of our categories at once: the first is the label, a
# prediction of the second counts as right too.
_DOUBLE = {
    "机票退改": ("ticketing.refund", "ticketing.change"),
    "航班延误或取消": ("flight.delay", "flight.cancellation"),
    "行李延误损坏及赔偿": ("baggage.delayed", "baggage.damaged"),
    "行李丢失": ("baggage.lost", "baggage.delayed"),
    "行李晚到": ("baggage.delayed", "baggage.lost"),
}


def intent_map() -> dict[str, tuple[str, set[str]]]:
    """Return aim_top -> (our code, other codes that also count as right)."""
    mapping: dict[str, tuple[str, set[str]]] = {}
    for code, intents in _SIMPLE.items():
        for intent in intents.split():
            mapping[intent] = (code, set())
    for intent, (code, also) in _DOUBLE.items():
        mapping[intent] = (code, {also})
    return mapping


def credit(
    true: Sequence[str], predicted: Sequence[str], also: Sequence[set[str]]
) -> list[str]:
    """Return predictions with an also-right code replaced by the true one."""
    return [t if p in a else p for t, p, a in zip(true, predicted, also, strict=True)]


def read_tweets() -> tuple[list[str], list[str]]:
    with TWEETS.open(encoding="utf-8", newline="") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if r["sentiment"] == "negative" and r["negativereason"] in REASONS
        ]
    return [r["text"] for r in rows], [REASONS[r["negativereason"]] for r in rows]


def read_questions() -> tuple[list[str], list[str], list[set[str]], Counter[str]]:
    """Return the mapped questions, deduplicated by normalised text."""
    mapping = intent_map()
    seen: set[str] = set()
    texts: list[str] = []
    codes: list[str] = []
    also: list[set[str]] = []
    skipped: Counter[str] = Counter()
    with QUESTIONS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            intent = row["aim_top"].strip()
            if intent not in mapping:
                skipped[intent] += 1
                continue
            key = classifier.normalise(row["question"])
            if key in seen:
                continue
            seen.add(key)
            code, other = mapping[intent]
            texts.append(row["question"])
            codes.append(code)
            also.append(other)
    return texts, codes, also, skipped


def median_ms_per_text(
    predict: Callable[[list[str]], object], texts: list[str], repeats: int
) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        predict(texts)
        timings.append((time.perf_counter() - start) * 1000 / len(texts))
    return statistics.median(timings)


def coverage_table(
    confidences: Sequence[float], right: Sequence[bool], thresholds: Sequence[float]
) -> list[str]:
    conf = np.array(confidences)
    ok = np.array(right)
    lines = ["| threshold | share kept | accuracy kept | accuracy sent to triage |"]
    lines.append("|---|---|---|---|")
    for t in thresholds:
        kept = conf >= t
        below = f"{ok[~kept].mean():.3f}" if (~kept).any() else "-"
        lines.append(
            f"| {t:.2f} | {kept.mean():.3f} | {ok[kept].mean():.3f} | {below} |"
        )
    return lines


def bench_tweets(args: argparse.Namespace) -> None:
    texts, codes = read_tweets()
    labels = sorted(set(codes))
    print(f"## English: tweets ({len(texts)} negative tweets with a mapped reason)\n")

    def split(seed: int) -> tuple[list[int], list[int]]:
        rows = np.arange(len(texts))
        train_rows, test_rows = train_test_split(
            rows, test_size=0.2, stratify=codes, random_state=seed
        )
        return list(train_rows), list(test_rows)

    def score(
        test_rows: list[int], predicted: list[str]
    ) -> classifier.EvaluationReport:
        true = [codes[i] for i in test_rows]
        also = [TWEET_ALSO_RIGHT.get(t, set()) for t in true]
        return classifier.score_predictions(true, credit(true, predicted, also), labels)

    seed_rows = classifier.load_seed_examples()
    seed_nine = [r for r in seed_rows if r["category"] in set(labels)]
    default = classifier.default_classifier()

    results: dict[str, list[float]] = {}
    detail: dict[str, classifier.EvaluationReport] = {}
    for split_seed in range(args.splits):
        train_rows, test_rows = split(split_seed)
        train_texts = [texts[i] for i in train_rows]
        train_codes = [codes[i] for i in train_rows]
        test_texts = [texts[i] for i in test_rows]

        baseline = make_pipeline(TfidfVectorizer(), LinearSVC(random_state=0))
        baseline.fit(train_texts, train_codes)
        ours = classifier.train(train_texts, train_codes, seed=0)
        augmented = classifier.train(
            train_texts + [r["text"] for r in seed_nine],
            train_codes + [r["category"] for r in seed_nine],
            seed=0,
        )
        runs = {
            "TF-IDF + LinearSVC baseline": list(baseline.predict(test_texts)),
            "PaxCare, trained on the 80%": [
                p.category for p in ours.predict(test_texts)
            ],
            "PaxCare, 80% + seed examples": [
                p.category for p in augmented.predict(test_texts)
            ],
            "PaxCare default (seed only)": [
                p.category for p in default.predict(test_texts)
            ],
        }
        for name, predicted in runs.items():
            report = score(test_rows, predicted)
            results.setdefault(name, []).append(report.macro_f1)
            if split_seed == 0:
                detail[name] = report
        if split_seed == 0:
            kept_model, kept_test = ours, test_rows

    print(f"Split seed 0 and mean ± sd over split seeds 0-{args.splits - 1}.\n")
    print("| model | macro F1 (seed 0) | accuracy (seed 0) | macro F1 mean ± sd |")
    print("|---|---|---|---|")
    for name, scores in results.items():
        sd = statistics.stdev(scores) if len(scores) > 1 else 0.0
        report = detail[name]
        print(
            f"| {name} | {report.macro_f1:.3f} | {report.accuracy:.3f} "
            f"| {statistics.mean(scores):.3f} ± {sd:.3f} |"
        )

    print("\nPer class, split seed 0 (P / R / F1, support):\n")
    names = list(detail)
    print("| code | " + " | ".join(names) + " | support |")
    print("|---|" + "---|" * (len(names) + 1))
    for label in labels:
        cells = []
        for name in names:
            s = detail[name].per_class[label]
            cells.append(f"{s.precision:.2f} / {s.recall:.2f} / {s.f1:.2f}")
        support = detail[names[0]].per_class[label].support
        print(f"| `{label}` | " + " | ".join(cells) + f" | {support} |")

    test_texts = [texts[i] for i in kept_test]
    batch_ms = median_ms_per_text(kept_model.predict, test_texts, args.repeats)
    single = test_texts[:200]
    single_ms = median_ms_per_text(
        lambda batch: [kept_model.predict([t]) for t in batch], single, args.repeats
    )
    size_kb = len(kept_model.to_bytes()) / 1024
    default_kb = len(default.to_bytes()) / 1024
    print(
        f"\nPrediction time, median of {args.repeats} repeats: "
        f"{batch_ms:.3f} ms per text in one batch of {len(test_texts)}, "
        f"{single_ms:.3f} ms per text one at a time. "
        f"Model size: {size_kb:.0f} KiB (tweets), {default_kb:.0f} KiB (default).\n"
    )

    predictions = kept_model.predict(test_texts)
    true = [codes[i] for i in kept_test]
    also = [TWEET_ALSO_RIGHT.get(t, set()) for t in true]
    credited = credit(true, [p.category for p in predictions], also)
    right = [t == p for t, p in zip(true, credited, strict=True)]
    print("Confidence of the model trained on the 80%, split seed 0:\n")
    print(
        "\n".join(
            coverage_table([p.confidence for p in predictions], right, THRESHOLDS)
        )
    )
    print()


THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.6)


def bench_questions(args: argparse.Namespace) -> None:
    texts, codes, also, skipped = read_questions()
    print(
        f"## Chinese: air-travel questions ({len(texts)} distinct questions with a "
        f"mapped intent; {sum(skipped.values())} rows in {len(skipped)} intents "
        "left out)\n"
    )
    default = classifier.default_classifier()
    predictions = default.predict(texts)
    credited = credit(codes, [p.category for p in predictions], also)
    seed_report = classifier.score_predictions(codes, credited)
    right = [t == p for t, p in zip(codes, credited, strict=True)]

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    fold_reports = []
    for train_rows, test_rows in folds.split(texts, codes):
        model = classifier.train(
            [texts[i] for i in train_rows], [codes[i] for i in train_rows]
        )
        predicted = [p.category for p in model.predict([texts[i] for i in test_rows])]
        true = [codes[i] for i in test_rows]
        predicted = credit(true, predicted, [also[i] for i in test_rows])
        fold_reports.append(classifier.score_predictions(true, predicted))

    print("| model | accuracy | macro F1 |")
    print("|---|---|---|")
    print(
        f"| PaxCare default (seed only) | {seed_report.accuracy:.3f} "
        f"| {seed_report.macro_f1:.3f} |"
    )
    cv_acc = statistics.mean(r.accuracy for r in fold_reports)
    cv_f1 = statistics.mean(r.macro_f1 for r in fold_reports)
    print(f"| PaxCare trained, 5-fold CV | {cv_acc:.3f} | {cv_f1:.3f} |")

    print("\nDefault model per class (P / R / F1, support):\n")
    print("| code | P / R / F1 | support |")
    print("|---|---|---|")
    for label, s in seed_report.per_class.items():
        print(
            f"| `{label}` | {s.precision:.2f} / {s.recall:.2f} / {s.f1:.2f} | {s.support} |"
        )
    print("\nConfidence of the default model on these questions:\n")
    print(
        "\n".join(
            coverage_table([p.confidence for p in predictions], right, THRESHOLDS)
        )
    )
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=5, help="split seeds to average")
    parser.add_argument("--repeats", type=int, default=7, help="timing repeats")
    args = parser.parse_args()
    missing = [p.name for p in (TWEETS, QUESTIONS) if not p.exists()]
    if missing:
        print("Skipped: data not found in ../shared/data: " + ", ".join(missing))
        return 0
    started = time.perf_counter()
    bench_tweets(args)
    bench_questions(args)
    print(f"Whole run: {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
