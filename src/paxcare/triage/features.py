"""Features of a passenger message: word n-grams, character n-grams and concepts.

Plain Python and NumPy, no Django and no scikit-learn: training and prediction build
their matrices with the same functions, so what a model learned is what it reads.

A text passes through ``normalise()`` and then gives three blocks of features:

- words: unigrams and bigrams of the words outside Chinese script (English phrasing);
- characters: one to five characters inside each space-separated word, space-padded,
  which read Chinese without a segmenter (a Chinese clause is one "word") and survive
  typos, hashtags and inflections in English;
- concepts: hand-written cue lists (``concepts.py``) shared by both languages, so that
  "broken wheel" and "轮子摔坏" light up the same feature.

Words and characters are weighted TF-IDF with sublinear counts and scaled to unit
length per block; a concept counts ``CONCEPT_WEIGHT`` per text (sublinear in its hits)
and is not scaled.

Speed. A batch is featurised without a Python loop over n-grams: the texts are joined
into one array of code points and every n-gram is identified by a 64-bit polynomial
hash computed from prefix sums (arithmetic modulo 2**64, which NumPy's unsigned
integers do by wrapping). A vocabulary is a sorted array of such hashes, looked up with
``searchsorted``. Two different n-grams of a vocabulary share a hash with a probability
of about one in 10**10 for a vocabulary of 10**5; such a pair would merely share one
column.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
from scipy import sparse

from paxcare.triage.concepts import CONCEPTS

CHAR_MIN, CHAR_MAX = 1, 5
# Concept hits weigh half a unit-length block: on the tweets benchmark
# (docs/classifier.md) a full unit let the cues drown the n-grams.
CONCEPT_WEIGHT = 0.5

BLOCK_WORDS, BLOCK_CHARS, BLOCK_CONCEPTS = 0, 1, 2

_URL = re.compile(r"(?:https?://|www\.)[^\s\0]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# The public tweets data set replaced "late" with "Late Flight" and "cancel" with
# "Cancelled Flight", even inside words ("Cancelled Flightled"). Passengers write
# "late" and "cancel"; undo the exact, capitalised replacement so that both read
# the same. A passenger's own lower-case "late flight" is left alone.
_ARTEFACTS = (("Late Flight", "late"), ("Cancelled Flight", "cancel"))

_SPACE, _BREAK = ord(" "), ord("\n")
# An odd multiplier has an inverse modulo 2**64, which the prefix sums need.
_P = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1
_SPREAD = np.uint64(0xBF58476D1CE4E5B9)
# Up to this many n-grams, a lookup goes through a dictionary instead of NumPy.
_FEW = 2048


def normalise(text: str) -> str:
    """Return ``text`` in the form the features read.

    NFKC folds full-width letters, digits and punctuation to half-width; text is
    lower-cased; links, e-mail addresses and @handles become placeholders; runs of
    digits become ``0`` (flight numbers and amounts vary, their presence matters).
    The result has single spaces and no line breaks.
    """
    return normalise_many([text])[0]


def normalise_many(texts: Sequence[str]) -> list[str]:
    """Return ``normalise(t)`` for each text, with one pass of each expression.

    The texts are joined with NUL, which no expression below matches or spans.
    """
    folded = []
    for text in texts:
        text = (text or "").replace("\0", " ")
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        folded.append(text)
    joined = "\0".join(folded)
    for artefact, word in _ARTEFACTS:
        if artefact in joined:
            joined = joined.replace(artefact, word)
    joined = joined.lower()
    if "http" in joined or "www." in joined:
        joined = _URL.sub(" httpurl ", joined)
    if "@" in joined:
        joined = _EMAIL.sub(" emailaddr ", joined)
        joined = _HANDLE.sub(" @user ", joined)
    joined = _DIGITS.sub("0", joined)
    joined = _SPACES.sub(" ", joined)
    return [part.strip(" ") for part in joined.split("\0")]


def string_hash(text: str) -> int:
    """Return the hash ``FeatureSpace`` gives the n-gram ``text``."""
    value = 0
    for char in text:
        value = (value * _P + ord(char) + 1) & _MASK
    return value


def words_of(text: str) -> list[str]:
    """Return the words of a normalised text that the word block reads."""
    return [text[a:b] for a, b in _token_spans(_codes(text))]


@functools.cache
def _word_table() -> np.ndarray:
    # Letters and digits below U+3000 (Latin, Greek, Cyrillic, ...) form words;
    # Chinese and everything above is left to the character block.
    table = np.array([chr(c).isalnum() for c in range(0x3000)], dtype=bool)
    table[ord("_")] = True
    return table


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _token_spans(codes: np.ndarray) -> list[tuple[int, int]]:
    starts, ends = _token_bounds(codes)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _token_bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return start and end positions of the word tokens: runs of word characters,
    and "!" and "?" on their own."""
    table = _word_table()
    small = codes < len(table)
    wordy = np.zeros(len(codes), dtype=bool)
    wordy[small] = table[codes[small]]
    edges = np.diff(np.concatenate(([False], wordy, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    marks = np.flatnonzero((codes == ord("!")) | (codes == ord("?")))
    if len(marks):
        starts = np.concatenate((starts, marks))
        ends = np.concatenate((ends, marks + 1))
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], ends[order]
    return starts, ends


class _Powers:
    """Powers of the multiplier and of its inverse modulo 2**64, grown on demand."""

    def __init__(self) -> None:
        inverse = _P
        for _ in range(6):
            inverse = (inverse * (2 - _P * inverse)) & _MASK
        self._inverse = inverse
        self.up = _power_table(_P, 4096)
        self.down = _power_table(inverse, 4096)

    def ensure(self, length: int) -> None:
        """Make both tables hold at least ``length`` powers (0 to length - 1)."""
        if len(self.up) < length:
            size = max(length, 2 * len(self.up))
            self.up = _power_table(_P, size)
            self.down = _power_table(self._inverse, size)


def _power_table(base: int, size: int) -> np.ndarray:
    powers = np.full(size, base, dtype=np.uint64)
    powers[0] = 1
    np.cumprod(powers, out=powers)
    return powers


_POWERS = _Powers()


@dataclass
class _Batch:
    """Hashes of every n-gram of a batch of normalised texts, with their rows."""

    word_hashes: np.ndarray
    word_rows: np.ndarray
    char_hashes: np.ndarray
    char_rows: np.ndarray
    n_rows: int


def _hash_batch(texts: Sequence[str]) -> _Batch:
    """Hash every word and character n-gram of normalised texts.

    NumPy's unsigned arithmetic wraps modulo 2**64 without a warning on arrays,
    which is the arithmetic the hashes need.
    """
    # One buffer: " text one \n text two \n": space-padded words, a line break
    # between texts (normalised text has none).
    buffer = "".join([f" {t} \n" for t in texts])
    codes = _codes(buffer)
    length = len(codes)
    _POWERS.ensure(length + 1)
    up = _POWERS.up
    values = codes.astype(np.uint64) + np.uint64(1)
    # prefix[k] = sum_{j<k} x_j * P**-j, so that the hash of codes[a:b] is
    # P**(b-1) * (prefix[b] - prefix[a]).
    prefix = np.zeros(length + 1, dtype=np.uint64)
    np.cumsum(values * _POWERS.down[:length], out=prefix[1:])
    breaks = codes == _BREAK
    rows = np.cumsum(breaks) - breaks
    spaces = np.zeros(length + 1, dtype=np.int64)
    np.cumsum(codes == _SPACE, out=spaces[1:])
    stops = np.zeros(length + 1, dtype=np.int64)
    np.cumsum(breaks, out=stops[1:])

    # Every n-gram of every length at once: start positions repeated per length.
    sizes = np.arange(CHAR_MIN, CHAR_MAX + 1)
    start = np.tile(np.arange(length), len(sizes))
    end = start + np.repeat(sizes, length)
    start, end = start[end <= length], end[end <= length]
    # No line break inside; spaces only at the two ends.
    ok = (stops[end] == stops[start]) & (spaces[end - 1] == spaces[start + 1])
    start, end = start[ok], end[ok]
    char_hashes = up[end - 1] * (prefix[end] - prefix[start])

    starts, ends = _token_bounds(codes)
    unigrams = up[ends - 1] * (prefix[ends] - prefix[starts])
    token_rows = rows[starts]
    first = np.flatnonzero(token_rows[1:] == token_rows[:-1])
    second = first + 1
    # The hash of "a b" is that of a, shifted past a space and b, plus the space
    # shifted past b, plus b.
    second_length = ends[second] - starts[second]
    bigrams = (
        unigrams[first] * up[second_length + 1]
        + np.uint64(_SPACE + 1) * up[second_length]
        + unigrams[second]
    )
    return _Batch(
        word_hashes=np.concatenate((unigrams, bigrams)),
        word_rows=np.concatenate((token_rows, token_rows[first])),
        char_hashes=char_hashes,
        char_rows=rows[start],
        n_rows=len(texts),
    )


_EMPTY_U64 = np.zeros(0, dtype=np.uint64)
_EMPTY_INT = np.zeros(0, dtype=np.int64)


class HashTable:
    """An open-addressing table from n-gram hash to column, probed in bulk.

    A binary search (``searchsorted``) into a vocabulary of 10**5 costs some 17
    scattered reads per n-gram; linear probing in a table kept under half full
    costs about two, which made featurising a batch of tweets three times faster.
    """

    def __init__(self, hashes: np.ndarray) -> None:
        bits = max(10, int(np.ceil(np.log2(max(len(hashes), 1) * 2.5))))
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.zeros(1 << bits, dtype=np.uint64)
        self._columns = np.full(1 << bits, -1, dtype=np.int64)
        self._dict: dict[int, int] | None = None
        pending = np.arange(len(hashes))
        slots = self._slots(hashes)
        while len(pending):
            free = self._columns[slots] < 0
            # Of the items aiming at one free slot, the first takes it.
            candidates = np.flatnonzero(free)
            _, first = np.unique(slots[candidates], return_index=True)
            placed = candidates[first]
            self._keys[slots[placed]] = hashes[pending[placed]]
            self._columns[slots[placed]] = pending[placed]
            left = np.ones(len(pending), dtype=bool)
            left[placed] = False
            pending = pending[left]
            slots = (slots[left] + 1) & self._mask

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        # The last characters of an n-gram move only the low bits of its hash; a
        # multiplication carries them up into the bits that pick the slot.
        return ((hashes * _SPREAD) >> self._shift).astype(np.int64)

    def lookup(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (positions in ``hashes`` found, their columns)."""
        if len(hashes) <= _FEW:
            return self._lookup_few(hashes)
        found_at, found_columns = [], []
        pending = np.arange(len(hashes))
        slots = self._slots(hashes)
        while len(pending):
            columns = self._columns[slots]
            hit = (self._keys[slots] == hashes[pending]) & (columns >= 0)
            found_at.append(pending[hit])
            found_columns.append(columns[hit])
            go_on = ~hit & (columns >= 0)
            pending = pending[go_on]
            slots = (slots[go_on] + 1) & self._mask
        if not found_at:
            return _EMPTY_INT, _EMPTY_INT
        return np.concatenate(found_at), np.concatenate(found_columns)

    def _lookup_few(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # For one text, a dictionary beats the dozens of NumPy calls of probing.
        if self._dict is None:
            used = np.flatnonzero(self._columns >= 0)
            self._dict = dict(
                zip(
                    self._keys[used].tolist(), self._columns[used].tolist(), strict=True
                )
            )
        found = np.fromiter(
            map(self._dict.get, hashes.tolist(), repeat(-1)), np.int64, len(hashes)
        )
        at = np.flatnonzero(found >= 0)
        return at, found[at]


class ConceptIndex:
    """Hash tables of the concept cues.

    English cues are matched against the word n-grams (whole words, one or two);
    Chinese cues of up to ``CHAR_MAX`` characters against the character n-grams.
    """

    def __init__(self, concepts: dict[str, Sequence[str]]) -> None:
        self.names = sorted(concepts)
        cues: dict[str, dict[int, set[int]]] = {"word": {}, "char": {}}
        for number, name in enumerate(self.names):
            for cue in concepts[name]:
                cue = normalise(cue)
                if not _CJK.search(cue):
                    kind, cue = "word", " ".join(words_of(cue))
                elif CHAR_MIN <= len(cue) <= CHAR_MAX:
                    kind = "char"
                else:
                    raise ValueError(f"Chinese cue {cue!r} is longer than {CHAR_MAX}")
                if cue:
                    cues[kind].setdefault(string_hash(cue), set()).add(number)
        self._few = {
            kind: {key: tuple(sorted(found)) for key, found in table.items()}
            for kind, table in cues.items()
        }
        self._tables = {}
        for kind, table in cues.items():
            keys = np.array(sorted(table), dtype=np.uint64)
            numbers = [sorted(table[int(k)]) for k in keys]
            counts = np.array([len(n) for n in numbers], dtype=np.int64)
            flat = np.array([n for group in numbers for n in group], dtype=np.int64)
            starts = np.cumsum(counts) - counts
            self._tables[kind] = (HashTable(keys), counts, starts, flat)

    def hits(self, batch: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """Return (row, concept number) for every cue occurrence in the batch."""
        sources = (
            ("word", batch.word_hashes, batch.word_rows),
            ("char", batch.char_hashes, batch.char_rows),
        )
        if batch.n_rows == 1:
            return self._hits_of_one(sources)
        rows, numbers = [], []
        for kind, hashes, hash_rows in sources:
            table, counts, starts, flat = self._tables[kind]
            found, cue = table.lookup(hashes)
            if len(found) == 0:
                continue
            # A cue of several concepts counts for each: expand (row, cue) pairs.
            repeat = counts[cue]
            first = np.repeat(starts[cue], repeat)
            within = np.arange(len(first)) - np.repeat(
                np.cumsum(repeat) - repeat, repeat
            )
            rows.append(np.repeat(hash_rows[found], repeat))
            numbers.append(flat[first + within])
        if not rows:
            return _EMPTY_INT, _EMPTY_INT
        return np.concatenate(rows), np.concatenate(numbers)

    def _hits_of_one(self, sources) -> tuple[np.ndarray, np.ndarray]:
        numbers: list[int] = []
        for kind, hashes, _ in sources:
            get = self._few[kind].get
            for found in map(get, hashes.tolist()):
                if found:
                    numbers.extend(found)
        found = np.array(numbers, dtype=np.int64)
        return np.zeros(len(found), dtype=np.int64), found


@dataclass
class FeatureSpace:
    """The vocabularies and weights that turn texts into one sparse matrix.

    ``word_hashes`` and ``char_hashes`` are sorted n-gram hashes; columns run words,
    then characters, then concepts (in sorted name order). ``weights`` holds the IDF
    of an n-gram column and ``CONCEPT_WEIGHT`` for a concept column.
    """

    word_hashes: np.ndarray
    char_hashes: np.ndarray
    concepts: dict[str, tuple[str, ...]]
    weights: np.ndarray
    _index: ConceptIndex = field(init=False, repr=False)
    _words: HashTable = field(init=False, repr=False)
    _chars: HashTable = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = ConceptIndex(self.concepts)
        self._words = HashTable(self.word_hashes)
        self._chars = HashTable(self.char_hashes)
        n_words, n_chars = len(self.word_hashes), len(self.char_hashes)
        self._blocks = np.concatenate(
            [
                np.full(n_words, BLOCK_WORDS, dtype=np.int64),
                np.full(n_chars, BLOCK_CHARS, dtype=np.int64),
                np.full(len(self._index.names), BLOCK_CONCEPTS, dtype=np.int64),
            ]
        )

    @property
    def n_features(self) -> int:
        return len(self.weights)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        *,
        word_min_df: int = 1,
        char_min_df: int = 2,
        concepts: dict[str, Sequence[str]] | None = None,
    ) -> FeatureSpace:
        """Learn vocabularies and IDF weights from normalised texts."""
        concepts = CONCEPTS if concepts is None else concepts
        batch = _hash_batch(texts)
        n_docs = len(texts)
        words, word_df = _document_frequency(batch.word_hashes, batch.word_rows)
        chars, char_df = _document_frequency(batch.char_hashes, batch.char_rows)
        keep_words, keep_chars = word_df >= word_min_df, char_df >= char_min_df

        def idf(df: np.ndarray) -> np.ndarray:
            return np.log((1 + n_docs) / (1 + df)) + 1

        frozen = {name: tuple(cues) for name, cues in sorted(concepts.items())}
        weights = np.concatenate(
            [
                idf(word_df[keep_words]),
                idf(char_df[keep_chars]),
                np.full(len(frozen), CONCEPT_WEIGHT),
            ]
        ).astype(np.float32)
        return cls(
            word_hashes=words[keep_words],
            char_hashes=chars[keep_chars],
            concepts=frozen,
            weights=weights,
        )

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Return the feature matrix of normalised texts, one row per text."""
        rows, columns = self._entries(texts)
        counts = np.ones(len(rows), dtype=np.float32)
        matrix = sparse.csr_matrix(
            (counts, (rows, columns)), shape=(len(texts), self.n_features)
        )
        matrix.sum_duplicates()
        row_of = np.repeat(np.arange(len(texts)), np.diff(matrix.indptr))
        matrix.data = self._weigh(row_of, matrix.indices, matrix.data, len(texts))
        return matrix

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (columns, values) of one normalised text, without a sparse matrix.

        A sparse matrix costs more to build than one text's arithmetic.
        """
        _, columns = self._entries([text])
        columns, counts = np.unique(columns, return_counts=True)
        rows = np.zeros(len(columns), dtype=np.int64)
        return columns, self._weigh(rows, columns, counts.astype(np.float32), 1)

    def _entries(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return (row, column) of every feature occurrence, duplicates included."""
        batch = _hash_batch(texts)
        n_words = len(self.word_hashes)
        found, word_columns = self._words.lookup(batch.word_hashes)
        word_rows = batch.word_rows[found]
        found, char_columns = self._chars.lookup(batch.char_hashes)
        char_rows = batch.char_rows[found]
        concept_rows, numbers = self._index.hits(batch)
        rows = np.concatenate((word_rows, char_rows, concept_rows))
        columns = np.concatenate(
            (
                word_columns,
                char_columns + n_words,
                numbers + n_words + len(self.char_hashes),
            )
        )
        return rows, columns

    def _weigh(
        self, rows: np.ndarray, columns: np.ndarray, counts: np.ndarray, n_rows: int
    ) -> np.ndarray:
        """Return sublinear TF-IDF values, unit length per row and block."""
        data = np.log(counts)
        data += 1
        data *= self.weights[columns]
        keys = rows * 3 + self._blocks[columns]
        squares = np.bincount(keys, weights=data * data, minlength=3 * n_rows)
        norms = np.sqrt(squares)
        norms[BLOCK_CONCEPTS::3] = 1.0
        norms[norms == 0] = 1.0
        data /= norms[keys]
        return data.astype(np.float32)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Return the space as plain arrays (no pickle) for ``from_arrays``."""
        names = sorted(self.concepts)
        return {
            "word_hashes": self.word_hashes,
            "char_hashes": self.char_hashes,
            "concept_names": _join(names),
            "concept_cues": _join("\t".join(self.concepts[n]) for n in names),
            "weights": self.weights,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> FeatureSpace:
        """Rebuild a space written by ``to_arrays``."""
        names = _split(arrays["concept_names"])
        cues = _split(arrays["concept_cues"])
        return cls(
            word_hashes=np.asarray(arrays["word_hashes"], dtype=np.uint64),
            char_hashes=np.asarray(arrays["char_hashes"], dtype=np.uint64),
            concepts={
                n: tuple(c.split("\t")) for n, c in zip(names, cues, strict=True)
            },
            weights=np.asarray(arrays["weights"], dtype=np.float32),
        )


def _document_frequency(
    hashes: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct hashes, sorted, and in how many rows each occurs."""
    if len(hashes) == 0:
        return _EMPTY_U64, _EMPTY_INT
    order = np.lexsort((rows, hashes))
    hashes, rows = hashes[order], rows[order]
    first = np.ones(len(hashes), dtype=bool)
    first[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
    distinct, df = np.unique(hashes[first], return_counts=True)
    return distinct, df


# Cues and names have no newline, so one newline-joined UTF-8 buffer stores a list.
def _join(items) -> np.ndarray:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _split(buffer: np.ndarray) -> list[str]:
    text = bytes(buffer).decode("utf-8")
    return text.split("\n") if text else []
