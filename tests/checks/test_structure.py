"""Layer normalization, alignment, diff rows and model selection."""

from grader.checks.structure import (
    compare_layers,
    compare_models,
    describe,
    find_reference_models,
    normalize_layers,
    select_model,
)

EQUIVALENT = [["tanh", "relu", "sigmoid"], ["AveragePooling2D", "MaxPooling2D"], ["same", "valid"], ["softmax", "linear"]]


def test_normalize_drops_layers_and_merges_activation(make):
    layers = [
        make.layer("InputLayer", (28, 28, 1)),
        make.layer("Rescaling", (28, 28, 1)),
        make.layer("Conv2D", (28, 28, 6), 156, filters=6, kernel_size=(5, 5), padding="same", activation="linear"),
        make.layer("Dropout", (28, 28, 6)),
        make.layer("Activation", (28, 28, 6), activation="relu"),
        make.layer("BatchNormalization", (28, 28, 6), 24),
        make.layer("Activation", (28, 28, 6), activation="relu"),
    ]
    kept = normalize_layers(layers, ignore=["BatchNormalization"])
    assert [describe(x) for x in kept] == ["Conv2D(6, 5×5, same, relu)", "Activation(relu)"]


def test_describe_is_compact(make):
    conv, pool = make.lenet_layers()[1:3]
    assert describe(conv) == "Conv2D(6, 5×5, same, tanh)"
    assert describe(pool) == "AveragePooling2D(2×2, valid)"
    assert describe(make.layer("MaxPooling2D", pool_size=(2, 2), strides=(1, 1))) == "MaxPooling2D(2×2, strides=1×1)"


def test_identical_models_score_one(make):
    reference = make.model(make.lenet_layers())
    comparison = compare_models(make.model(make.lenet_layers()), reference)
    assert comparison.fraction == 1.0
    assert {row["status"] for row in comparison.rows()} == {"ok"}


def test_equivalent_values_are_interchangeable(make):
    reference = make.model(make.lenet_layers())
    student = make.model(make.lenet_layers(activation="relu", pool="MaxPooling2D"))
    assert compare_models(student, reference).fraction < 1.0
    assert compare_models(student, reference, EQUIVALENT).fraction == 1.0


def test_attribute_difference_scores_half_with_diff_row(make):
    reference = normalize_layers(make.lenet_layers())
    student = normalize_layers(make.lenet_layers(c1=8))
    comparison = compare_layers(reference, student)
    assert comparison.fraction == (len(reference) - 0.5) / len(reference)
    row = comparison.rows()[0]
    assert row == {
        "reference": "Conv2D(6, 5×5, same, tanh)",
        "student": "Conv2D(8, 5×5, same, tanh)",
        "status": "differs",
        "differences": ["filters: 6 ≠ 8"],
        # structured, so the student's view can name the attribute without the reference's value
        "changes": [{"attribute": "filters", "expected": "6", "actual": "8"}],
        "reference_class": "Conv2D",
        "student_class": "Conv2D",
    }


def test_missing_and_extra_layers_count_in_the_denominator(make):
    reference = normalize_layers(make.lenet_layers())
    fewer = [x for x in reference if x.width != 84]
    missing = compare_layers(reference, fewer)
    assert missing.fraction == 7 / 8
    assert [r["status"] for r in missing.rows()].count("missing") == 1
    more = list(reference[:-1]) + [make.layer("Dense", (32,), units=32, activation="tanh"), reference[-1]]
    extra = compare_layers(reference, more)
    assert extra.fraction == 8 / 9
    assert [r["status"] for r in extra.rows()] == ["ok"] * 7 + ["extra", "ok"]


def test_select_model_prefers_structure_then_weights_then_latest(make):
    reference = make.model(make.lenet_layers(), names=("lenet5",))
    mlp = make.dense_model(order=1)
    lenet_old = make.model(make.lenet_layers(), order=2)
    lenet_new = make.model(make.lenet_layers(), order=3, has_weights=False)
    chosen, fraction, ref = select_model([mlp, lenet_old, lenet_new], [reference])
    assert (chosen, fraction, ref) == (lenet_old, 1.0, reference)
    assert select_model([], [reference]) == (None, 0.0, reference)


def test_reference_lookup_prefers_the_same_section(make):
    here = make.model(make.lenet_layers(), names=("lenet5",), order=5)
    elsewhere = make.dense_model(names=("lenet5",), section="desafio-1", order=9)
    reference = make.notebook(make.section("desafio-1", [elsewhere]), make.section("desafio-3", [here]))
    assert find_reference_models(reference, "desafio-3", ["lenet5"]) == (here,)
    assert find_reference_models(reference, "desafio-2", ["lenet5"]) == (elsewhere,)
    assert find_reference_models(reference, "desafio-3", ["nada"]) == ()


def test_select_model_prefers_the_trained_twin(make):
    from grader.checks.structure import select_model

    reference = make.model(make.lenet_layers(), names=("lenet5",))
    trained = make.model(make.lenet_layers(), names=("a",), order=1, accuracy=0.88)
    untrained = make.model(make.lenet_layers(), names=("b",), order=2, accuracy=0.10)
    chosen, fraction, _ = select_model([trained, untrained], [reference])
    assert chosen is trained and fraction == 1.0
