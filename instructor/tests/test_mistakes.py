"""Messages measured on mistakes they were not written for: every set of instructor/tests/mistakes/
graded case by case (the slow test), each first message held to its verdict in the set's table
and every claim it makes held to the file; and the claims checker itself, which must catch a
false claim (the fast tests)."""
import importlib
from collections import Counter

import pytest

from instructor.tests.mistakes import judged, run
from instructor.tests.mistakes.claims import Facts, false_claims

SETS = ["instructor.tests.mistakes.cases", "instructor.tests.mistakes.heldout"]


def test_the_claims_checker_catches_a_layer_said_missing_that_the_model_runs():
    """What an earlier message said of layers kept in a Python list: 'your model runs none',
    though it ran three Linear layers (unregistered)."""
    facts = Facts("def discriminator(seed=None):\n    pass\n", {"discriminator": Counter(Linear=3, LeakyReLU=2)},
                  {"discriminator": 5}, {"discriminator": Counter()}, {"discriminator": Counter(Linear=3)})
    said = ("discriminator(): expected 1,000 parameters, got 0 (1,000 too few). As its first layer with weights, "
            "the architecture has Linear(in_features=784, out_features=10); your model runs none.")
    assert [kind for kind, _ in false_claims(said, facts)] == ["runs_none"]
    assert false_claims("discriminator(): ... Your model runs 5 layers it does not register (...)", facts) == []
    assert false_claims("discriminator(): ... Your model runs 2 layers it does not register (...)", facts)


def test_the_claims_checker_catches_a_line_that_is_not_there():
    facts = Facts("import torch\ntorch.set_default_dtype(torch.float64)\n", {}, {}, {}, {})
    assert not false_claims("line 2 (`torch.set_default_dtype(torch.float64)`) changes ...", facts)
    assert false_claims("line 1 (`torch.set_default_dtype(torch.float64)`) changes ...", facts)
    assert false_claims("It rose inside torch.optim.adam.Adam, which ...", facts)  # the file calls no Adam


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_every_mistake_of_a_set_gets_a_true_first_message_and_every_correct_variant_full_marks(name):
    module = importlib.import_module(name)
    graded = run.grade_all(module.CASES)
    wrong = []
    for case, result in graded:
        assert "error" not in result, (case["id"], result)
        lost = run.lost(result)
        if case["kind"] == "correct":
            assert not lost, (case["id"], lost, {p: run.first_message(result, p) for p in lost})
            continue
        verdict, _ = judged.JUDGED[name][case["id"]]
        if verdict == "full marks":  # a gap the table shows: held to it, so that closing it is noticed
            assert not lost, (case["id"], "judged to get full marks, and it loses points now: judge it again")
            continue
        assert lost, (case["id"], "a wrong file with full marks")
        assert not result.get("false"), (case["id"], result["false"])
        wrong.append(case["id"])
        if verdict == "names the cause":  # held to what it said when it was judged
            message = run.first_message(result, case["part"]) or run.first_message(result, next(iter(lost)))
            assert all(p in message for p in judged.EXPECT[name].get(case["id"], ())), (case["id"], message)
    named = sum(judged.JUDGED[name][i][0] == "names the cause" for i in wrong)
    assert named >= 0.9 * len(wrong), f"{named} of {len(wrong)} first messages name the cause"
