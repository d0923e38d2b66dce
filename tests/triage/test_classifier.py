"""The text classifier: training, calibration, serialisation and the default model."""

import io

import numpy as np
import pytest

from paxcare.triage import calibration, classifier
from paxcare.triage.classifier import TextClassifier, train

EXAMPLES = {
    "flight.delay": [
        "my flight is {} hours late",
        "delayed again, {} hours at the gate",
        "why is flight {} delayed so long",
        "航班延误了{}个小时",
        "飞机晚点{}小时还没起飞",
    ],
    "baggage.lost": [
        "my suitcase never arrived, tag {}",
        "lost luggage after flight {}",
        "bag missing for {} days",
        "行李丢了{}天还没找到",
        "托运的箱子丢失，单号{}",
    ],
    "ticketing.refund": [
        "I want a refund for booking {}",
        "refund my ticket {} please",
        "still no refund after {} weeks",
        "退票{}天了钱还没退回来",
        "申请退款，订单号{}",
    ],
}


def examples(copies: int = 8) -> tuple[list[str], list[str], list[str]]:
    texts, categories, kinds = [], [], []
    for category, patterns in EXAMPLES.items():
        for n in range(copies):
            for pattern in patterns:
                texts.append(pattern.format(n + 2))
                categories.append(category)
                kinds.append("claim" if category == "ticketing.refund" else "complaint")
    return texts, categories, kinds


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    texts, categories, kinds = examples()
    return train(texts, categories, kinds, version="test")


def test_a_trained_model_predicts_category_and_kind_in_both_languages(model):
    predictions = model.predict(
        ["refund my ticket 77 please", "行李丢了三天", "flight 9 is late again"]
    )

    assert [(p.category, p.kind) for p in predictions] == [
        ("ticketing.refund", "claim"),
        ("baggage.lost", "complaint"),
        ("flight.delay", "complaint"),
    ]
    assert all(0 < p.confidence <= 1 for p in predictions)


def test_one_text_and_a_batch_get_the_same_answer(model):
    texts = ["refund my ticket 77 please", "行李丢了三天", "totally unrelated words"]

    alone = [model.predict([t])[0] for t in texts]
    together = model.predict(texts)

    assert [p.category for p in alone] == [p.category for p in together]
    np.testing.assert_allclose(
        [p.confidence for p in alone], [p.confidence for p in together], rtol=1e-5
    )


def test_probabilities_sum_to_one_in_the_order_of_the_categories(model):
    probabilities = model.probabilities(["lost luggage", "退款"])

    assert model.categories == ["baggage.lost", "flight.delay", "ticketing.refund"]
    np.testing.assert_allclose(probabilities.sum(axis=1), [1.0, 1.0])
    assert probabilities.argmax(axis=1).tolist() == [0, 2]


def test_training_records_its_out_of_fold_calibration(model):
    report = model.extra["out_of_fold"]

    assert report["n_texts"] == 120
    assert report["accuracy"] >= 0.9
    assert 0.0 <= model.threshold <= 1.0
    assert model.temperature > 0


def test_training_keeps_the_c_with_the_best_out_of_fold_macro_f1(model):
    report = model.extra["out_of_fold"]
    by_c = report["macro_f1_by_c"]
    best = max(by_c.values())

    assert sorted(float(c) for c in by_c) == list(classifier.C_GRID)
    assert report["c"] == min(float(c) for c, f1 in by_c.items() if f1 == best)
    assert report["macro_f1"] == best


def test_a_given_c_is_used_without_a_search():
    texts, categories, kinds = examples(copies=3)

    strong = train(texts, categories, kinds, c=0.05)
    weak = train(texts, categories, kinds, c=5.0)

    assert strong.extra["out_of_fold"]["c"] == 0.05
    assert "macro_f1_by_c" not in strong.extra["out_of_fold"]
    # Stronger regularisation (smaller C) gives smaller category weights.
    assert np.abs(strong.category.coef).sum() < np.abs(weak.category.coef).sum()


def test_a_model_survives_its_bytes_unchanged(model):
    texts = ["refund my ticket 77 please", "行李丢了三天", "my flight is late"]

    copy = TextClassifier.from_bytes(model.to_bytes())

    np.testing.assert_array_equal(copy.probabilities(texts), model.probabilities(texts))
    assert [p.kind for p in copy.predict(texts)] == [
        p.kind for p in model.predict(texts)
    ]
    assert (copy.version, copy.threshold, copy.temperature) == (
        model.version,
        model.threshold,
        model.temperature,
    )


def test_bytes_that_are_not_a_model_are_refused_without_being_run():
    pickled = b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94."
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(b'{"format": "other/1"}', np.uint8))

    for data in (b"", pickled, buffer.getvalue()):
        with pytest.raises(ValueError):
            TextClassifier.from_bytes(data)


def test_without_kinds_the_kind_head_learns_from_the_seed_examples():
    texts, categories, _ = examples(copies=3)

    model = train(texts, categories)

    assert model.kind is not None
    assert set(model.kind.classes) == set(classifier.KINDS)
    assert model.predict(["thank you so much, great crew"])[0].kind == "praise"


def test_training_refuses_a_single_category():
    with pytest.raises(ValueError, match="at least two categories"):
        train(["a", "b"], ["other", "other"])


def test_the_threshold_is_the_lowest_whose_confident_answers_meet_the_target():
    confidences = np.array([0.95] * 10 + [0.75] * 10 + [0.55] * 10)
    correct = np.array([True] * 10 + [True] * 8 + [False] * 2 + [False] * 10)

    assert calibration.choose_threshold(confidences, correct, 0.9) == 0.56
    assert calibration.choose_threshold(confidences, correct, 0.6) == 0.0
    assert calibration.choose_threshold(confidences, ~correct, 0.9) == 1.0


def test_the_temperature_softens_overconfident_scores():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    scores = rng.normal(size=(600, 3))
    scores[np.arange(600), labels] += 1.0

    sharp = calibration.fit_temperature(scores * 10, labels)
    plain = calibration.fit_temperature(scores, labels)

    assert sharp == pytest.approx(plain * 10, rel=0.05)


def test_out_of_fold_scores_never_come_from_a_model_that_saw_the_row():
    labels = np.array([0, 1] * 10)
    features = np.eye(20)
    folds = calibration.assign_folds(labels, 5, seed=0)

    def fit(x, y):
        seen = {tuple(row) for row in x}

        def score(rows):
            return np.array([[float(tuple(r) in seen)] * 2 for r in rows])

        return score

    scores = calibration.out_of_fold_scores(features, labels, 2, fit, folds)

    assert sorted(np.bincount(folds)) == [4, 4, 4, 4, 4]
    assert scores.tolist() == [[0.0, 0.0]] * 20


def test_the_default_model_is_cached_and_read_back(tmp_path, monkeypatch):
    (tmp_path / "default-0000000000000000.npz").write_bytes(b"an older model")
    monkeypatch.setattr(classifier, "_DEFAULT", {})
    first = classifier.default_classifier(tmp_path)
    files = list(tmp_path.glob("default-*.npz"))
    monkeypatch.setattr(classifier, "_DEFAULT", {})
    monkeypatch.setattr(
        classifier, "_train_default", lambda fingerprint: pytest.fail("retrained")
    )

    second = classifier.default_classifier(tmp_path)

    assert [f.name for f in files] == [
        f"default-{classifier.default_fingerprint()}.npz"
    ]
    assert second.version == first.version
    assert second.threshold == classifier.DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("My flight was cancelled and nobody offered a hotel", "flight.cancellation"),
        ("航班延误了五个小时，没有任何解释", "flight.delay"),
        ("The wheel of my suitcase was snapped off on arrival", "baggage.damaged"),
        ("行李箱轮子摔坏了", "baggage.damaged"),
        ("Can I take my cat in the cabin?", "baggage.pets"),
        ("请问充电宝可以带上飞机吗？", "airport.security"),
        ("2 hours on hold and then the line went dead", "service.customer_service"),
        ("我的里程一直没有到账", "loyalty.miles"),
    ],
)
def test_the_default_model_reads_both_languages(text, category):
    assert classifier.default_classifier().predict([text])[0].category == category
