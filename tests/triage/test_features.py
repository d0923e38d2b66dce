"""The classifier's features: normalised text, hashed n-grams and concept cues."""

import numpy as np
import pytest

from paxcare.triage import features
from paxcare.triage.concepts import CONCEPTS
from paxcare.triage.features import FeatureSpace, normalise, string_hash


def char_grams(text: str) -> list[str]:
    """The character n-grams as the module documents them, the slow way."""
    grams = []
    for word in text.split(" "):
        padded = f" {word} "
        for n in range(features.CHAR_MIN, features.CHAR_MAX + 1):
            grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return [g for g in grams if g != " "]


def word_grams(text: str) -> list[str]:
    words = features.words_of(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "@SkyLineAir Flight 812 Cancelled Flightled!! http://t.co/x",
            "@user flight 0 cancelled!! httpurl",
        ),
        ("Our flight was Late Flight again", "our flight was late again"),
        ("a late flight, as usual", "a late flight, as usual"),
        ("ＣＡ１２３　航班延误", "ca0 航班延误"),
        ("mail me at li.wei@example.com\n\tplease", "mail me at emailaddr please"),
    ],
)
def test_normalise_folds_width_case_placeholders_and_the_tweets_artefact(raw, expected):
    assert normalise(raw) == expected


def test_every_ngram_of_a_batch_is_hashed_like_its_string():
    texts = [normalise(t) for t in ["My bag is broken!", "轮子摔坏了 wheel", ""]]

    batch = features._hash_batch(texts)

    for row, text in enumerate(texts):
        chars = sorted(int(h) for h in batch.char_hashes[batch.char_rows == row])
        words = sorted(int(h) for h in batch.word_hashes[batch.word_rows == row])
        assert chars == sorted(string_hash(g) for g in char_grams(text))
        assert words == sorted(string_hash(g) for g in word_grams(text))


def test_words_leave_chinese_to_the_character_block():
    assert features.words_of("轮子摔坏了 wheel's ok?") == ["wheel", "s", "ok", "?"]


def fitted_space() -> FeatureSpace:
    texts = [
        "my bag is broken",
        "flight delayed three hours",
        "行李箱轮子摔坏了",
        "my bag never arrived",
    ]
    return FeatureSpace.fit([normalise(t) for t in texts], char_min_df=1)


def test_one_text_and_a_batch_give_the_same_features():
    space = fitted_space()
    texts = [normalise(t) for t in ["My BAG wheel broken 轮子坏了", "delayed", "箱子"]]

    matrix = space.transform(texts)

    for row, text in enumerate(texts):
        columns, values = space.transform_one(text)
        assert matrix[row].indices.tolist() == columns.tolist()
        np.testing.assert_allclose(matrix[row].data, values, rtol=1e-6)


def test_word_and_character_blocks_have_unit_length_and_concepts_keep_their_weight():
    space = fitted_space()

    columns, values = space.transform_one(normalise("my bag is broken"))

    blocks = space._blocks[columns]
    assert np.sum(values[blocks == 0] ** 2) == pytest.approx(1.0, rel=1e-5)
    assert np.sum(values[blocks == 1] ** 2) == pytest.approx(1.0, rel=1e-5)
    concepts = dict(zip(columns[blocks == 2], values[blocks == 2], strict=True))
    names = sorted(CONCEPTS)
    first = len(space.weights) - len(names)
    found = {names[c - first]: round(float(v), 4) for c, v in concepts.items()}
    assert found == {"bag": 0.5, "damage": 0.5}


def test_an_english_and_a_chinese_message_share_their_concepts():
    space = fitted_space()
    names = sorted(CONCEPTS)
    first = len(space.weights) - len(names)

    def concepts_of(text: str) -> set[str]:
        columns, _ = space.transform_one(normalise(text))
        return {names[c - first] for c in columns if c >= first}

    assert concepts_of("the wheel of my suitcase is broken") == {"bag", "damage"}
    assert concepts_of("行李箱的轮子摔坏了") == {"bag", "damage"}


def test_unknown_ngrams_are_ignored():
    space = fitted_space()

    columns, values = space.transform_one(normalise("zzzz qqqq"))

    assert columns.tolist() == []
    assert values.tolist() == []


def test_the_concept_cues_fit_the_ngrams_that_match_them():
    for name, cues in CONCEPTS.items():
        for cue in cues:
            clean = normalise(cue)
            if features._CJK.search(clean):
                assert len(clean) <= features.CHAR_MAX, (name, cue)
            else:
                assert 1 <= len(features.words_of(clean)) <= 2, (name, cue)


def test_a_space_survives_its_arrays():
    space = fitted_space()
    text = normalise("bag broken 轮子")

    copy = FeatureSpace.from_arrays(space.to_arrays())

    assert copy.transform_one(text)[0].tolist() == space.transform_one(text)[0].tolist()
    assert copy.concepts == space.concepts
