"""The evidence alignment weighs: names, verbatim copies, order, the model's choice."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.alignment import (
    CONFIDENCE,
    INTERCEPT,
    WEIGHTS,
    align,
    choose_pairs,
    confidence,
)
from annotations.segmentation import Segmenter
from annotations.sentence_evidence import (
    FEATURES,
    Evidence,
    _in_order,
    longest_ordered,
    name_stems,
    negated,
    negated_stems,
)


def _segment(a: str, b: str):
    segmenter = Segmenter.train([a, b])
    return segmenter.segment(a), segmenter.segment(b)


def test_names_are_capitalised_inside_sentences_and_never_lower() -> None:
    texts = ["The mayor met Okafor at the Harlow depot. Okafor said the depot would close."]
    found = name_stems(texts, ["The mayor met Okafor at the Harlow depot.",
                               "Okafor said the depot would close."])
    assert {"okafor", "harlow"} <= found
    assert "depot" not in found and "the" not in found
    # A headline in title case names nothing; a word also written in lower
    # case is no name ("Depot" in one sentence, "depot" in another).
    headline = "Harlow Depot Will Close Next Spring"
    found = name_stems([headline, "The depot closes."], [headline, "The depot closes."])
    assert found == frozenset()


def test_negation_marks_a_turned_statement() -> None:
    assert negated("Trump has yet to endorse Ryan.")
    assert negated("He didn’t answer.")
    assert not negated("Trump endorsed Ryan on Friday.")


def test_negation_denies_the_words_it_governs() -> None:
    assert "endors" in negated_stems("Trump has yet to endorse House Speaker Paul Ryan.")
    assert negated_stems("Trump endorsed Ryan on Friday.") == frozenset()
    # Out of its scope, a word is mentioned, not denied.
    assert "ryan" not in negated_stems("He didn’t say it in the long interview with Ryan.")
    # "No longer" and "not ... anymore" agree with a sentence saying it once was.
    assert negated_stems("It’s certainly not fringe anymore.") == frozenset()
    assert negated_stems("They are no longer burned at the stake.") == frozenset()


# One outlet says Trump endorsed Ryan, the other that he has yet to (the
# issue's kind of false pair: every name and word shared, the statement not).
DENIED_A = (
    "Trump endorsed House Speaker Paul Ryan for re-election on Friday in Green Bay. "
    "Thousands of supporters filled the arena in Green Bay to hear him."
)
DENIED_B = (
    "Trump has yet to endorse House Speaker Paul Ryan for re-election, aides said. "
    "Thousands of supporters filled an arena in Green Bay to hear him on Friday."
)


def test_a_statement_and_its_denial_do_not_pair() -> None:
    a, b = _segment(DENIED_A, DENIED_B)
    evidence = Evidence(a, b)
    assert (0, 0) in evidence.denied
    assert evidence.features[(0, 0)][FEATURES.index("polarity")] == 1.0
    got = {(p.a_index, p.b_index) for p in align(a, b).pairs}
    assert (0, 0) not in got
    assert (1, 1) in got


@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), max_size=12))
def test_longest_ordered_is_a_longest_increasing_chain(pairs) -> None:
    chain = longest_ordered(pairs)
    assert all(p in pairs for p in chain)
    assert all(x[0] < y[0] and x[1] < y[1] for x, y in zip(chain, chain[1:], strict=False))
    # Brute force: the longest chain any subset gives.
    unique = sorted(set(pairs))
    best = [1] * len(unique)
    for k, (i, j) in enumerate(unique):
        for m in range(k):
            if unique[m][0] < i and unique[m][1] < j:
                best[k] = max(best[k], best[m] + 1)
    assert len(chain) == max(best, default=0)


def test_in_order_between_chain_neighbours() -> None:
    chain = [(0, 0), (3, 4), (6, 9)]
    assert _in_order(chain, 2, 2, 12)
    assert not _in_order(chain, 2, 5, 12)  # after the counterpart of 3
    assert _in_order(chain, 3, 4, 12)  # on the chain
    assert _in_order(chain, 8, 11, 12)  # after the last, before the end
    assert not _in_order(chain, 8, 7, 12)


# Two outlets report one poll (invented). The lead among registered
# Democrats is A1 ~ B2; B1 (younger voters) shares the candidates, the word
# "leads" and the poll with A1 but not its statement.
POLL_A = (
    "A new Harbour Institute poll shows Marsh and Okafor nearly tied across the state. "
    "Among registered Democrats, Marsh leads Okafor by eight points, 49 percent to 41 percent. "
    "The survey of 1,204 adults was taken over ten days in May."
)
POLL_B = (
    "Marsh and Okafor are nearly tied statewide, the Harbour Institute poll finds. "
    "Okafor leads among voters under 45, 66 percent to 27 percent, while Marsh leads older voters. "
    "Registered Democrats favour Marsh by eight points, 49 percent to 41 percent. "
    "The institute surveyed 1,204 adults over ten days in May."
)


def test_the_statement_pairs_not_the_topic() -> None:
    a, b = _segment(POLL_A, POLL_B)
    result = align(a, b)
    got = {(p.a_index, p.b_index) for p in result.pairs}
    assert got == {(0, 0), (1, 2), (2, 3)}
    assert result.unmatched_b() == [1]


# A quote copied word for word: the stop words carry it ("not quite there
# yet" has one content stem), and of two sentences alike in content words the
# one copied exactly is the counterpart.
QUOTE_A = (
    "The senator was asked on Monday whether she would back the harbour bill. "
    "“We need strong leadership. We need very, very strong leadership. "
    "And I’m just not quite there yet.”"
)
QUOTE_B = (
    "Asked about the harbour bill, the senator said: “We need strong leadership. "
    "We need very, very strong leadership. And I’m just not quite there yet.”"
)


def test_verbatim_quotes_pair_copy_to_copy() -> None:
    a, b = _segment(QUOTE_A, QUOTE_B)
    result = align(a, b)
    got = {(p.a_index, p.b_index) for p in result.pairs}
    assert {(1, 0), (2, 1), (3, 2)} <= got
    assert (1, 1) not in got and (2, 0) not in got


def test_features_are_named_and_bounded() -> None:
    a, b = _segment(POLL_A, POLL_B)
    evidence = Evidence(a, b)
    assert set(WEIGHTS) == set(FEATURES)
    assert evidence.features
    for (i, j), values in evidence.features.items():
        assert len(values) == len(FEATURES)
        # Only pairs where one is the other's best match are described.
        assert evidence.best_a[i][0] == j or evidence.best_b[j][0] == i
        assert 0 < evidence.similarity[(i, j)] <= 1
        assert 0 <= confidence(values) <= 1


def test_the_model_decides_and_can_be_replaced() -> None:
    a, b = _segment(POLL_A, POLL_B)
    evidence = Evidence(a, b)
    default = choose_pairs(evidence)
    assert default == choose_pairs(evidence, weights=WEIGHTS, intercept=INTERCEPT,
                                   needed=CONFIDENCE)
    nothing = {name: 0.0 for name in FEATURES}
    assert choose_pairs(evidence, weights=nothing, intercept=-20.0) == set()
    # Sure of every candidate: the surest-first one-to-one pass pairs every
    # sentence that has a candidate with a free partner.
    everything = choose_pairs(evidence, weights=nothing, intercept=20.0)
    assert default <= everything
    assert {i for i, _ in evidence.features} == {i for i, _ in everything}
