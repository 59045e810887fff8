"""``model_structure``: layer sequence against the reference, or required layer classes."""

from grader.checks.model_structure import check_model_structure

EQUIVALENT = [["tanh", "relu", "sigmoid"], ["AveragePooling2D", "MaxPooling2D"], ["same", "valid"], ["softmax", "linear"]]


def _check(make, models, **params):
    reference = make.notebook(make.section("desafio-3", [make.model(make.lenet_layers(), names=("lenet5",))]))
    student = make.notebook(make.section("desafio-3", models))
    return check_model_structure(student, reference, make.spec("model_structure", **params))


def test_declared_variant_passes(make, render):
    student = make.model(make.lenet_layers(activation="relu", pool="MaxPooling2D"))
    outcome = _check(make, [student], reference_model="lenet5", equivalent=EQUIVALENT)
    assert outcome.status == "passed"
    assert render(outcome, "pt") == "A arquitetura confere com a esperada: 8 de 8 camadas iguais."
    assert outcome.expected[0] == "Conv2D(6, 5×5, same, tanh)"
    assert set(outcome.details) == {"diff", "student", "reference"}
    assert outcome.details["student"]["layers"][1]["output_shape"] == [None, 28, 28, 6]


def test_differing_layers_earn_partial_credit(make, render):
    student = make.model(make.lenet_layers(activation="relu"))
    outcome = _check(make, [student], reference_model="lenet5")
    assert outcome.status == "partial"
    assert outcome.fraction == (4 + 4 * 0.5) / 8
    assert "activation: tanh ≠ relu" in outcome.details["diff"][0]["differences"]
    # the count and the percentage say what each is: 4 equal + 4 half-credit layers of 8 = 75%
    assert render(outcome, "pt").startswith(
        "A arquitetura confere só em parte: 4 de 8 camadas iguais e 4 do tipo certo com atributos diferentes "
        "(cada uma vale meia camada), o que dá 75% dos pontos.")
    assert render(outcome, "en").startswith("The architecture matches only in part: 4 of 8 layers equal and 4 of the")


def test_unrelated_model_fails(make, render):
    student = make.model([make.layer("LSTM", (32,), 100, units=32)])
    outcome = _check(make, [student], reference_model="lenet5")
    assert (outcome.status, outcome.message) == ("failed", "model_structure.no_match")
    render(outcome, "en")


def test_no_model_in_section_fails(make):
    assert _check(make, [], reference_model="lenet5").message == "model.none_found"


def test_contains_mode_checks_the_raw_layers(make, render):
    with_both = make.lenet_layers() + [make.layer("BatchNormalization", (10,), 40), make.layer("Dropout", (10,))]
    outcome = _check(make, [make.model(with_both)], mode="contains", layers=["BatchNormalization", "Dropout"])
    assert outcome.status == "passed"
    assert render(outcome, "pt") == "O modelo contém todas as camadas pedidas."


def test_contains_mode_gives_partial_credit_for_the_best_model(make, render):
    models = [make.model(make.lenet_layers(), order=0), make.model(make.lenet_layers() + [make.layer("Dropout", (10,))], order=1)]
    outcome = _check(make, models, mode="contains", layers=["BatchNormalization", "Dropout"])
    assert (outcome.status, outcome.fraction) == ("partial", 0.5)
    assert render(outcome, "pt") == "Faltam no modelo as camadas: BatchNormalization (1 de 2 encontradas)."
    assert render(outcome, "en") == "The model lacks these layers: BatchNormalization (1 of 2 found)."
    none = _check(make, models[:1], mode="contains", layers=["BatchNormalization", "Dropout"])
    assert none.status == "failed"


def test_unknown_mode_is_an_error(make):
    assert _check(make, [], mode="sequencia").status == "error"


def test_require_structure_gives_no_partial_credit_to_another_architecture(make):
    from grader.checks.model_structure import check_model_structure

    lenet = make.model(make.lenet_layers(), names=("lenet5",))
    mlp = make.model([make.layer("Flatten"), make.layer("Dense", units=32, activation="relu"),
                      make.layer("Dense", units=10, activation="softmax")], names=("m",))
    student = make.notebook(make.section("desafio-3", models=[mlp]))
    reference = make.notebook(make.section("desafio-3", models=[lenet]))
    loose = make.spec("model_structure", "desafio-3", reference_model="lenet5")
    strict = make.spec("model_structure", "desafio-3", reference_model="lenet5", require_structure=0.6)
    assert check_model_structure(student, reference, loose).status == "partial"
    outcome = check_model_structure(student, reference, strict)
    assert (outcome.status, outcome.fraction) == ("failed", 0.0)


def _mlp(make, dropout_rates):
    layers = [make.layer("Flatten", (784,)), make.layer("Dense", (128,), 100480, units=128, activation="relu")]
    layers += [make.layer("Dropout", (128,), rate=rate) for rate in dropout_rates]
    layers += [make.layer("Dense", (10,), 1290, units=10, activation="softmax")]
    return make.model(layers, names=("mlp",), section="parte-1")


def _mlp_check(make, student, **params):
    reference = make.notebook(make.section("parte-1", [_mlp(make, [0.2])]))
    spec = make.spec("model_structure", "parte-1", reference_model="mlp", **params)
    return check_model_structure(make.notebook(make.section("parte-1", [student])), reference, spec)


def test_dropout_is_ignored_unless_kept(make):
    assert _mlp_check(make, _mlp(make, [])).status == "passed"
    kept = _mlp_check(make, _mlp(make, []), keep=["Dropout"])
    assert kept.status == "partial" and kept.fraction == 3 / 4
    assert "Dropout(0.2)" in kept.expected


def test_a_kept_dropout_compares_its_rate(make):
    outcome = _mlp_check(make, _mlp(make, [0.5]), keep=["Dropout"])
    assert outcome.status == "partial"
    assert "rate: 0.2 ≠ 0.5" in outcome.details["diff"][2]["differences"]
    assert _mlp_check(make, _mlp(make, [0.2]), keep=["Dropout"]).status == "passed"
