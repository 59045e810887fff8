"""The harness records what ``fit`` returned: each model's History, appended over fits and sections."""

from __future__ import annotations

from grader.inspect import _read_histories
from grader.report.cells import own_frames
from tests.execute.test_runner import _manifest, _notebook, _run

import pytest

pytestmark = pytest.mark.kernel


def test_fit_history_is_exported_with_the_model_and_later_fits_append(tmp_path, dataset_dir):
    first = (
        "import numpy as np\n"
        "m = keras.Sequential([keras.Input((4,)), layers.Dense(2, activation='softmax')])\n"
        "m.compile('sgd', 'sparse_categorical_crossentropy', metrics=['accuracy'])\n"
        "x, y = np.random.rand(32, 4), np.random.randint(0, 2, 32)\n"
        "m.fit(x, y, validation_split=0.25, epochs=2, verbose=0)"
    )
    second = ["m.fit(x, y, validation_split=0.25, epochs=1, verbose=0)", "x = 1\nm.fit(x_que_nao_existe)"]
    nb = _notebook([first], second)
    record, area = _run(nb, tmp_path, dataset_dir)
    found: dict = {}
    _read_histories(_manifest(area, "desafio-1")["histories"], found)
    (order,) = found
    assert set(found[order]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(found[order]["loss"]) == 2 and all(isinstance(v, float) for v in found[order]["loss"])
    _read_histories(_manifest(area, "desafio-2")["histories"], found)  # the model was exported in desafio-1
    assert len(found[order]["val_accuracy"]) == 3
    failed = next(c for c in record.cells if c.status == "error")
    assert failed.source == "x = 1\nm.fit(x_que_nao_existe)"  # a failing cell keeps its code
    trimmed, count, line = own_frames(failed.traceback, failed.ename)
    assert line == 2 and count is not None and "site-packages" not in trimmed
