"""copydetect's fingerprints of one student's cells, and the overlap of two students."""

from __future__ import annotations

import subprocess
import sys

from grader.similarity.extract import OwnCell
from grader.similarity.fingerprints import compare_documents, fingerprint_document, handout_hashes, normalize_prose

CONV = '''def conv2d(imagem, kernel):
    altura, largura = imagem.shape
    kh, kw = kernel.shape
    saida = np.zeros((altura - kh + 1, largura - kw + 1))
    for i in range(saida.shape[0]):
        for j in range(saida.shape[1]):
            saida[i, j] = np.sum(imagem[i:i + kh, j:j + kw] * kernel)  # correlação
    return saida
'''
RENAMED = '''def conv2d(img, filtro):
    # dimensões da imagem
    h, w = img.shape
    fh, fw = filtro.shape
    resultado = np.zeros((h - fh + 1, w - fw + 1))
    for lin in range(resultado.shape[0]):
        for col in range(resultado.shape[1]):
            resultado[lin, col] = np.sum(img[lin:lin + fh, col:col + fw] * filtro)
    return resultado
'''
OTHER = '''def conv2d(imagem, kernel):
    return np.array([[np.sum(imagem[i:i + kernel.shape[0], j:j + kernel.shape[1]] * kernel)
                      for j in range(imagem.shape[1] - kernel.shape[1] + 1)]
                     for i in range(imagem.shape[0] - kernel.shape[0] + 1)])
'''


def doc(name, *sources, boilerplate=frozenset(), code=True):
    cells = [OwnCell(n, (s,)) for n, s in enumerate(sources)]
    return fingerprint_document(name, cells, k=25, window=6, code=code, boilerplate=boilerplate)


def test_renamed_variables_and_rewritten_comments_keep_the_fingerprints():
    assert doc("a", CONV).hashes == doc("b", RENAMED).hashes
    match = compare_documents(doc("a", CONV), doc("b", RENAMED), k=25)
    assert match.share_a == match.share_b == 1.0
    assert "np.sum(imagem[i:i + kh, j:j + kw] * kernel)" in match.longest_a
    assert "np.sum(img[lin:lin + fh, col:col + fw] * filtro)" in match.longest_b


def test_reordered_cells_keep_the_fingerprints():
    first = doc("a", CONV, "valores = [conv2d(imagem_2, kernel_2), conv2d(imagem_2.T, kernel_2.T)]")
    second = doc("b", "valores = [conv2d(imagem_2, kernel_2), conv2d(imagem_2.T, kernel_2.T)]", RENAMED)
    match = compare_documents(first, second, k=25)
    assert match.share_a == match.share_b == 1.0
    assert match.longest_cells == (0, 1)


def test_another_way_of_writing_it_shares_little():
    match = compare_documents(doc("a", CONV), doc("b", OTHER), k=25)
    assert match is None or match.share < 0.3


def test_the_handouts_kgrams_never_count():
    boilerplate = handout_hashes([CONV], 25, code=True)
    assert doc("a", RENAMED, boilerplate=boilerplate).hashes == frozenset()
    assert compare_documents(doc("a", CONV, boilerplate=boilerplate), doc("b", RENAMED, boilerplate=boilerplate),
                             k=25) is None


def test_fragments_mark_the_shared_stretches_of_each_cell():
    match = compare_documents(doc("a", CONV), doc("b", CONV + "\nprint(conv2d(imagem_2, kernel_2))\n"), k=25)
    (fragment,) = match.fragments_a
    shared = "".join(text for text, marked in fragment.pieces() if marked)
    assert "saida = np.zeros" in shared
    assert "".join(text for text, _ in fragment.pieces()) == CONV


def test_text_is_compared_without_case_accents_or_spacing():
    assert normalize_prose("Não  É\tISSO") == "nao  e isso"
    assert len(normalize_prose("ação")) == len("ação")
    a = doc("a", "O modelo tem 72.000.100 parâmetros porque a camada densa liga cada pixel a cada neurônio.",
            code=False)
    b = doc("b", "o modelo tem 72.000.100 PARAMETROS porque a camada densa liga cada pixel a cada neuronio.",
            code=False)
    assert compare_documents(a, b, k=40).share == 1.0


def test_fingerprints_are_the_same_in_every_process():
    """copydetect's own k-gram hash is Python's hash(), salted per process; these are not."""
    code = ("from grader.similarity.extract import OwnCell; from grader.similarity.fingerprints import "
            "fingerprint_document as f; import sys; "
            f"print(sorted(f('a', [OwnCell(0, ({CONV!r},))], k=25, window=6, code=True).hashes))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "1"}).stdout  # this process's salt is random
    assert other.strip() == str(sorted(doc("a", CONV).hashes))


def test_the_longest_passage_does_not_depend_on_which_student_comes_first():
    lines = CONV.splitlines()
    whole, split = doc("a", CONV), doc("b", "\n".join(lines[:4]), "\n".join(lines[4:]) + "\nprint(saida)")
    forward, backward = compare_documents(whole, split, k=25), compare_documents(split, whole, k=25)
    assert forward.longest == backward.longest
    assert (forward.longest_a, forward.longest_b) == (backward.longest_b, backward.longest_a)


def test_highlights_start_and_end_on_whole_words():
    match = compare_documents(doc("a", CONV), doc("b", RENAMED), k=25)
    for fragment in match.fragments_a:
        for start, end in fragment.marks:
            assert start == 0 or not (fragment.source[start - 1].isalnum() and fragment.source[start].isalnum())
            assert end == len(fragment.source) or not (fragment.source[end - 1].isalnum()
                                                       and fragment.source[end].isalnum())
    at = CONV.index(match.longest_a)
    assert at == 0 or not CONV[at - 1].isalnum()
