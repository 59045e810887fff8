"""Hints for cell errors the grading environment causes: one case per table row, both languages."""

from __future__ import annotations

import pytest

from grader.hints import ERROR_RULES, MODULE_SUGGESTIONS, Hint, hint_for
from grader.messages import load_catalogue

URL_FAILURE = ("URL fetch failure on https://storage.googleapis.com/tensorflow/tf-keras-datasets/{file}: None -- "
               "[Errno -3] Temporary failure in name resolution")


@pytest.fixture(scope="module")
def catalogues():
    return {"pt": load_catalogue("pt"), "en": load_catalogue("en")}


def rendered(hint: Hint, catalogues) -> dict[str, str]:
    texts = {lang: hint.render(cat) for lang, cat in catalogues.items()}
    for lang, text in texts.items():
        assert not text.startswith("["), (lang, text)  # the key exists, every placeholder is filled
    return texts


@pytest.mark.parametrize("module, key, pt_words", [
    ("torch", "hint.module.torch", ["PyTorch", "extra opcional", "professor", "Keras"]),
    ("torch.nn", "hint.module.torch", ["PyTorch"]),
    ("torchvision", "hint.module.torch", ["PyTorch"]),
    ("cv2", "hint.module.cv2", ["Pillow", "PIL", "keras.ops.image", "tf.image"]),
    ("tensorflow_datasets", "hint.module.tensorflow_datasets", ["keras.datasets.fashion_mnist.load_data()"]),
    ("keras.utils.np_utils", "hint.module.np_utils", ["keras.utils.to_categorical"]),
    ("tensorflow.keras.utils.np_utils", "hint.module.np_utils", ["keras.utils.to_categorical"]),
    ("keras.layers.convolutional", "hint.module.keras_layers", ["keras.layers"]),
    ("keras.layers.pooling", "hint.module.keras_layers", ["keras.layers"]),
    ("keras.layers.core", "hint.module.keras_layers", ["keras.layers"]),
    ("keras.layers.normalization", "hint.module.keras_layers", ["keras.layers"]),
    ("keras.layers.recurrent", "hint.module.keras_layers", ["keras.layers"]),
    ("keras.layers.merge", "hint.module.keras_layers", ["keras.layers"]),
    ("keras.layers.advanced_activations", "hint.module.keras_layers", ["keras.layers"]),
    ("keras.layers.convolutional.conv2d", "hint.module.keras_layers", ["keras.layers"]),
    ("keras.wrappers.scikit_learn", "hint.module.scikit_wrappers", ["scikeras", "não está disponível"]),
    ("google.colab", "hint.module.google_colab", ["substituto", "não deveria acontecer"]),
    ("xgboost", "hint.module.other", ["NumPy", "pandas", "SciPy", "scikit-learn", "matplotlib",
                                      "seaborn", "TensorBoard", "Pillow", "tqdm", "TensorFlow/Keras"]),
])
def test_missing_module_suggests_what_the_environment_has(module, key, pt_words, catalogues):
    hint = hint_for("ModuleNotFoundError", f"No module named '{module}'")
    assert hint == Hint(key, {"module": module})
    texts = rendered(hint, catalogues)
    assert module in texts["pt"] and module in texts["en"]
    for word in pt_words:
        assert word in texts["pt"]
    # Keras 2 module names do not exist in Keras 3; everything else is missing from the environment
    where = ("Keras 3", "Keras 3") if key in ("hint.module.np_utils", "hint.module.keras_layers") else (
        "ambiente de correção", "grading environment")
    assert where[0] in texts["pt"] and where[1] in texts["en"]


def test_generic_missing_module_names_the_package(catalogues):
    text = hint_for("ModuleNotFoundError", "No module named 'xgboost'").render(catalogues["pt"])
    assert text.startswith("o pacote xgboost não está disponível no ambiente de correção; use")


def test_a_longer_prefix_wins():
    assert hint_for("ModuleNotFoundError", "No module named 'keras.layers.core'").key == "hint.module.keras_layers"
    # a plain 'keras' module error is not a Keras 2 layer module
    assert hint_for("ModuleNotFoundError", "No module named 'kerasx'").key == "hint.module.other"


def test_image_data_generator_import(catalogues):
    hint = hint_for("ImportError", "cannot import name 'ImageDataGenerator' from 'keras.preprocessing.image' "
                                   "(/venv/lib/python3.12/site-packages/keras/preprocessing/image/__init__.py)")
    assert hint.key == "hint.image_data_generator"
    texts = rendered(hint, catalogues)
    for text in texts.values():
        assert "from tensorflow.keras.preprocessing.image import ImageDataGenerator" in text
        assert "keras.utils.image_dataset_from_directory" in text


def test_lr_argument(catalogues):
    hint = hint_for("ValueError", "Argument(s) not recognized: {'lr': 0.001}")
    assert hint.key == "hint.lr"
    assert "learning_rate=" in rendered(hint, catalogues)["pt"]


@pytest.mark.parametrize("method, modern", [
    ("fit_generator", "model.fit(...)"),
    ("evaluate_generator", "model.evaluate(...)"),
    ("predict_generator", "model.predict(...)"),
    ("predict_classes", "np.argmax(model.predict(x), axis=-1)"),
])
def test_removed_model_methods(method, modern, catalogues):
    hint = hint_for("AttributeError", f"'Sequential' object has no attribute '{method}'")
    assert hint == Hint("hint.removed_method", {"method": method, "modern": modern})
    texts = rendered(hint, catalogues)
    assert f"{method} não existe em Keras 3; use {modern}." in texts["pt"]
    assert modern in texts["en"]


@pytest.mark.parametrize("ename, evalue, traceback, dataset", [
    ("Exception", URL_FAILURE.format(file="mnist.npz"), "", "MNIST"),
    ("Exception", "URL fetch failure on https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz: None", "", "CIFAR-10"),
    ("Exception", "URL fetch failure on https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz: None", "",
     "CIFAR-100"),
    ("Exception", URL_FAILURE.format(file="imdb.npz"), "", "IMDB"),
    ("DownloadError", "Failed to get url https://storage.googleapis.com/tfds-data/x.tar",
     "File /venv/lib/python3.12/site-packages/tensorflow_datasets/core/load.py in load", "tensorflow_datasets"),
    ("URLError", "<urlopen error [Errno -3] Temporary failure in name resolution>",
     "----> 1 (x, y), _ = keras.datasets.cifar10.load_data()\nFile .../keras/src/datasets/cifar10.py", "CIFAR-10"),
])
def test_dataset_downloads_without_network(ename, evalue, traceback, dataset, catalogues):
    hint = hint_for(ename, evalue, traceback)
    assert hint == Hint("hint.dataset_download", {"dataset": dataset})
    texts = rendered(hint, catalogues)
    assert texts["pt"].startswith(f"o conjunto {dataset} não pode ser baixado no ambiente de correção (sem rede)")
    assert "keras.datasets.fashion_mnist.load_data()" in texts["pt"]
    assert "no network" in texts["en"]


def test_a_download_of_an_unnamed_file(catalogues):
    hint = hint_for("Exception", URL_FAILURE.format(file="meus_dados.zip"))
    assert hint.key == "hint.dataset_download_unknown"
    assert "sem rede" in rendered(hint, catalogues)["pt"]


def test_fashion_mnist_not_served_is_the_graders_fault(catalogues):
    hint = hint_for("Exception", URL_FAILURE.format(file="train-labels-idx1-ubyte.gz"),
                    "File .../keras/src/datasets/fashion_mnist.py:81, in load_data()")
    assert hint.key == "hint.dataset_fashion_missing"
    assert "não é um erro seu" in rendered(hint, catalogues)["pt"]


@pytest.mark.parametrize("ename, evalue, path", [
    ("FileNotFoundError", "[Errno 2] No such file or directory: '/content/drive/MyDrive/fashion.csv'",
     "/content/drive/MyDrive/fashion.csv"),
    ("OSError", "[Errno 2] No such file or directory: '/content/sample_data/mnist_test.csv'",
     "/content/sample_data/mnist_test.csv"),
    ("NotFoundError", "Could not find directory /content/imagens", "/content/imagens"),
])
def test_colab_paths(ename, evalue, path, catalogues):
    hint = hint_for(ename, evalue)
    assert hint == Hint("hint.colab_path", {"path": path})
    texts = rendered(hint, catalogues)
    assert texts["pt"].startswith(f"o caminho {path} existe só no Google Colab")
    assert "only in Google Colab" in texts["en"]


@pytest.mark.parametrize("ename, evalue, traceback", [
    ("ValueError", "Input 0 of layer 'dense' is incompatible with the layer", ""),
    ("ZeroDivisionError", "division by zero", ""),
    ("NameError", "name 'imdb_reviews' is not defined", "imdb_reviews.shape"),  # no download involved
    ("FileNotFoundError", "[Errno 2] No such file or directory: 'dados.csv'", ""),
    ("AttributeError", "'Sequential' object has no attribute 'fitt'", ""),
    ("", "", ""),
])
def test_ordinary_bugs_get_no_hint(ename, evalue, traceback):
    assert hint_for(ename, evalue, traceback) is None


def test_the_mapping_is_data():
    assert len(MODULE_SUGGESTIONS) >= 10 and len(ERROR_RULES) >= 6
    keys = {key for _, key in MODULE_SUGGESTIONS} | {rule.key for rule in ERROR_RULES}
    pt = load_catalogue("pt")
    assert all(key in pt.messages for key in keys)


def test_np_utils_imported_from_keras_utils_gets_the_modern_spelling():
    from grader.hints import hint_for

    hint = hint_for("ImportError", "cannot import name 'np_utils' from 'keras.utils' (/venv/keras/utils/__init__.py)")
    assert hint is not None and hint.key == "hint.module.np_utils"
