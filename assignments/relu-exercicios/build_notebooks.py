"""Generate the notebooks of the assignment ``relu-exercicios``.

Writes the notebook students receive (``relu-exercicios.ipynb``), the instructor's solution
(``reference/relu-exercicios.ipynb``) and the sample submissions in ``examples/``. Every
notebook is the template with some cells filled in, so they share cell ids the way a
student's copy shares them with the file they downloaded.

Only NumPy is used: the exercises run in well under a second.

Run ``python assignments/relu-exercicios/build_notebooks.py`` after editing this file; the
notebooks are written without outputs. Expected grades of the examples live, by hand, in
``examples/expected.toml``.
"""

from __future__ import annotations

from pathlib import Path

from grader.authoring import CellSpec, code, md, write_assignment

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[1] / "reference" / "relu-exercicios.ipynb"
TEMPLATE_FILE = HERE / "relu-exercicios.ipynb"
EXAMPLES_DIR = HERE / "examples"

PLACEHOLDER_CODE = "# Seu código aqui"
PLACEHOLDER_ANSWER = "**Sua resposta aqui:**"


# ---------------------------------------------------------------------------- template
TEMPLATE: tuple[CellSpec, ...] = (
    md("intro", """
        # ReLU em redes densas e convolucionais

        Nesta lista de exercícios vamos calcular "na mão", com NumPy, o que a função de
        ativação **ReLU** faz dentro de uma rede neural: em uma camada densa, depois de uma
        convolução, em vários mapas de características e ao longo do treinamento (o problema
        do *dying ReLU*).

        **Como entregar**

        - Preencha as células marcadas com `# Seu código aqui` (você pode criar novas células
          dentro de cada exercício) e as células marcadas com **Sua resposta aqui:**.
        - Guarde cada resultado na variável indicada no enunciado (elas começam valendo
          `None`): a correção automática lê essas variáveis e também chama as suas funções
          `relu` e `conv2d` com outras entradas, de outros tamanhos.
        - Use apenas NumPy (nada de TensorFlow/Keras nesta lista).
        - Não altere os títulos dos exercícios (`## Exercício ...`): a correção usa esses
          títulos para encontrar o seu código e as suas respostas.
        - Antes de entregar, reinicie o kernel e execute o notebook inteiro
          (*Kernel → Restart & Run All*) para ter certeza de que tudo roda sem erros.
    """),
    code("imports", """
        import numpy as np

        np.set_printoptions(precision=3, suppress=True)
        print("NumPy", np.__version__)
    """),
    md("revisao", """
        ## Revisão: a função ReLU

        A ReLU (*Rectified Linear Unit*) é definida por

        $$\\mathrm{ReLU}(z) = \\max(0, z)$$

        - se a entrada $z$ é **positiva**, ela passa sem mudança;
        - se $z$ é **negativa ou zero**, a saída é 0.

        Dizemos que um neurônio está **ativo** quando a sua saída depois da ReLU é
        **maior que zero**. A derivada da ReLU é 1 para $z > 0$ e 0 para $z < 0$: por isso os
        neurônios inativos não deixam o gradiente passar.

        Em NumPy as operações são feitas **elemento a elemento**, em vetores e matrizes de
        qualquer formato, sem laços: `np.maximum`, `np.where`, comparações como `x > 0` e
        somas como `np.sum(x > 0)` (que conta quantos elementos são verdadeiros).
    """),
    md("ex1-texto", """
        ## Exercício 1: ReLU em uma camada densa

        Uma camada densa produziu as pré-ativações abaixo para 5 neurônios:

        | Neurônio | 1 | 2 | 3 | 4 | 5 |
        | --- | --- | --- | --- | --- | --- |
        | $z$ | +2,3 | −1,7 | +0,8 | −0,2 | +4,1 |

        1. Escreva a função `relu(x)` que aplica a ReLU **elemento a elemento** a um array
           NumPy de **qualquer formato** (vetor, matriz, ...) e devolve um array do mesmo
           formato.
        2. Aplique a ReLU às pré-ativações e guarde o resultado em `saida_1`.
        3. Guarde em `ativos_1` quantos neurônios ficaram ativos (saída > 0).
        4. Guarde em `soma_1` a soma dos valores transmitidos para a próxima camada (a soma
           das saídas da ReLU).
    """),
    code("ex1-dados", """
        entradas_1 = np.array([2.3, -1.7, 0.8, -0.2, 4.1])
    """),
    code("ex1-codigo", f"""
        def relu(x):
            {PLACEHOLDER_CODE}
            pass


        saida_1 = None
        ativos_1 = None
        soma_1 = None
    """),
    md("ex2-texto", """
        ## Exercício 2: ReLU depois de uma convolução

        Em uma CNN, a ReLU é aplicada a cada valor do **mapa de características** que sai da
        convolução. Considere a imagem 5×5 abaixo, escura (0) nas duas primeiras colunas e
        clara (1) nas três últimas, e um filtro 3×3 detector de **bordas verticais**, com as
        colunas −1, 0 e +1:

        ```
        imagem             kernel
        0 0 1 1 1          -1 0 1
        0 0 1 1 1          -1 0 1
        0 0 1 1 1          -1 0 1
        0 0 1 1 1
        0 0 1 1 1
        ```

        Como nas bibliotecas de redes neurais, a "convolução" aqui é a **correlação
        cruzada**: o kernel **não** é invertido. Cada valor da saída é a soma dos produtos,
        elemento a elemento, entre o kernel e a janela da imagem sob ele.

        1. Escreva a função `conv2d(imagem, kernel)` que recebe dois arrays 2-D de
           **quaisquer tamanhos** (o kernel não maior que a imagem) e devolve a convolução
           com passo (*stride*) 1 e **sem padding** (`'valid'`): para uma imagem $H×W$ e um
           kernel $k_h×k_w$, a saída tem formato $(H-k_h+1)×(W-k_w+1)$.
        2. Guarde em `mapa_2` a convolução de `imagem_2` com `kernel_2`.
        3. Guarde em `mapa_2_relu` o mapa depois da ReLU (use a sua função `relu`).
        4. Responda na célula de resposta: a ReLU mudou o mapa? Por quê?
    """),
    code("ex2-dados", """
        imagem_2 = np.array([[0, 0, 1, 1, 1]] * 5, dtype=float)
        kernel_2 = np.array([[-1, 0, 1]] * 3, dtype=float)
        print(imagem_2)
        print(kernel_2)
    """),
    code("ex2-codigo", f"""
        def conv2d(imagem, kernel):
            {PLACEHOLDER_CODE}
            pass


        mapa_2 = None
        mapa_2_relu = None
    """),
    md("ex2-pergunta", """
        **Pergunta.** A ReLU mudou o mapa de características? Explique por quê.
    """),
    md("ex2-resposta", PLACEHOLDER_ANSWER, "resposta:ex2"),
    md("ex3-texto", """
        ## Exercício 3: vários mapas de características

        Uma camada convolucional com 4 filtros produziu, depois da ReLU, os quatro mapas 3×3
        abaixo. Cada filtro procura um tipo de padrão:

        | Mapa | Padrão procurado |
        | --- | --- |
        | 1 | bordas verticais |
        | 2 | linhas horizontais |
        | 3 | diagonais |
        | 4 | curvas |

        Para cada mapa, a **contagem de ativos** é o número de posições com valor maior que
        zero e a **intensidade** é a soma dos seus valores.

        1. Guarde em `ativos_3` a lista com o número de ativos de cada mapa (na ordem 1, 2,
           3, 4).
        2. Guarde em `intensidades_3` a lista com a intensidade de cada mapa.
        3. Guarde em `mais_detectada_3` o **número** (1 a 4) do mapa de maior intensidade,
           ou seja, o padrão mais detectado na imagem.
        4. Responda: qual característica foi a mais detectada?
    """),
    code("ex3-dados", """
        mapas_3 = np.array([
            [[0.0, 1.5, 0.0],   # mapa 1: bordas verticais
             [0.0, 1.4, 0.0],
             [0.0, 1.4, 0.0]],
            [[0.0, 0.0, 0.0],   # mapa 2: linhas horizontais
             [1.8, 1.6, 1.6],
             [0.0, 0.0, 0.0]],
            [[1.7, 0.0, 0.0],   # mapa 3: diagonais
             [0.0, 1.7, 0.0],
             [0.0, 0.0, 0.0]],
            [[0.0, 1.5, 0.0],   # mapa 4: curvas
             [1.6, 0.0, 0.0],
             [0.0, 1.5, 0.0]],
        ])
        nomes_3 = ["bordas verticais", "linhas horizontais", "diagonais", "curvas"]
        print(mapas_3.shape)
    """),
    code("ex3-codigo", f"""
        {PLACEHOLDER_CODE}

        ativos_3 = None
        intensidades_3 = None
        mais_detectada_3 = None
    """),
    md("ex3-pergunta", """
        **Pergunta.** Qual característica foi a mais detectada? Justifique com os números.
    """),
    md("ex3-resposta", PLACEHOLDER_ANSWER, "resposta:ex3"),
    md("ex4-texto", """
        ## Exercício 4: *dying ReLU* durante o treinamento

        Acompanhamos as pré-ativações $z$ de 3 neurônios de uma camada oculta, para a mesma
        entrada, ao longo do treinamento com uma taxa de aprendizado alta:

        | Época | Neurônio A | Neurônio B | Neurônio C |
        | --- | --- | --- | --- |
        | 1 | +0,8 | +1,2 | +0,5 |
        | 10 | +0,3 | −0,4 | +0,6 |
        | 20 | 0,0 | −0,9 | −0,2 |
        | 30 | −0,5 | −1,3 | −0,7 |
        | 40 | −0,8 | −1,6 | −1,1 |

        Um neurônio que fica com a saída da ReLU igual a zero (inativo) para todas as
        entradas não recebe mais gradiente e não volta a aprender: ele "morreu".

        1. Guarde em `ativos_4` a lista com o número de neurônios ativos (saída da ReLU
           maior que zero) em cada época da tabela, na ordem das épocas.
        2. Guarde em `epoca_morte_4` a primeira época a partir da qual **nenhum** neurônio
           está ativo (o *dying ReLU* da camada).
        3. Responda: o que é o *dying ReLU* e o que pode ser feito para evitá-lo?
    """),
    code("ex4-dados", """
        epocas_4 = [1, 10, 20, 30, 40]
        pre_ativacoes_4 = np.array([
            [0.8, 1.2, 0.5],     # época 1
            [0.3, -0.4, 0.6],    # época 10
            [0.0, -0.9, -0.2],   # época 20
            [-0.5, -1.3, -0.7],  # época 30
            [-0.8, -1.6, -1.1],  # época 40
        ])
    """),
    code("ex4-codigo", f"""
        {PLACEHOLDER_CODE}

        ativos_4 = None
        epoca_morte_4 = None
    """),
    md("ex4-pergunta", """
        **Pergunta.** O que é o *dying ReLU*? Cite pelo menos uma forma de evitá-lo.
    """),
    md("ex4-resposta", PLACEHOLDER_ANSWER, "resposta:ex4"),
)


# ---------------------------------------------------------------------------- reference
REFERENCE_FILLS = {
    "ex1-codigo": """
        def relu(x):
            \"\"\"ReLU elemento a elemento: max(0, x), para arrays de qualquer formato.\"\"\"
            x = np.asarray(x, dtype=float)
            return np.where(x > 0, x, 0.0)


        saida_1 = relu(entradas_1)
        ativos_1 = int(np.sum(saida_1 > 0))
        soma_1 = float(np.sum(saida_1))

        print("Saída da ReLU:", saida_1)
        print("Neurônios ativos:", ativos_1)
        print("Soma transmitida:", round(soma_1, 4))
    """,
    "ex2-codigo": """
        def conv2d(imagem, kernel):
            \"\"\"Convolução 2-D (correlação cruzada), stride 1, sem padding ('valid').\"\"\"
            imagem = np.asarray(imagem, dtype=float)
            kernel = np.asarray(kernel, dtype=float)
            altura, largura = imagem.shape
            kh, kw = kernel.shape
            saida = np.zeros((altura - kh + 1, largura - kw + 1))
            for i in range(saida.shape[0]):
                for j in range(saida.shape[1]):
                    saida[i, j] = np.sum(imagem[i:i + kh, j:j + kw] * kernel)
            return saida


        mapa_2 = conv2d(imagem_2, kernel_2)
        mapa_2_relu = relu(mapa_2)

        print("Mapa da convolução:")
        print(mapa_2)
        print("Depois da ReLU:")
        print(mapa_2_relu)
        print("A ReLU mudou algum valor?", not np.array_equal(mapa_2, mapa_2_relu))
    """,
    "ex2-resposta": """
        **Resposta:** não. A ReLU não altera o mapa, que continua igual a
        [[3, 3, 0], [3, 3, 0], [3, 3, 0]]: todos os valores da convolução já são maiores ou
        iguais a zero (a borda vertical vai do escuro para o claro, no mesmo sentido do
        filtro), e a ReLU só zera valores negativos.
    """,
    "ex3-codigo": """
        ativos_3 = [int(np.sum(mapa > 0)) for mapa in mapas_3]
        intensidades_3 = [float(np.sum(mapa)) for mapa in mapas_3]
        mais_detectada_3 = int(np.argmax(intensidades_3)) + 1

        for n, (nome, ativos, intensidade) in enumerate(zip(nomes_3, ativos_3, intensidades_3), start=1):
            print(f"mapa {n} ({nome}): {ativos} ativos, intensidade {intensidade:.1f}")
        print("Mais detectada: mapa", mais_detectada_3, "-", nomes_3[mais_detectada_3 - 1])
    """,
    "ex3-resposta": """
        **Resposta:** as **linhas horizontais** (mapa 2): é o mapa de maior intensidade
        (5,0), com 3 posições ativas.
    """,
    "ex4-codigo": """
        ativos_4 = [int(np.sum(relu(z) > 0)) for z in pre_ativacoes_4]
        epoca_morte_4 = None
        for n, epoca in enumerate(epocas_4):
            if all(a == 0 for a in ativos_4[n:]):
                epoca_morte_4 = epoca
                break

        for epoca, ativos in zip(epocas_4, ativos_4):
            print(f"época {epoca:2d}: {ativos} neurônios ativos")
        print("Dying ReLU a partir da época", epoca_morte_4)
    """,
    "ex4-resposta": """
        **Resposta:** é quando a pré-ativação de um neurônio fica negativa para todas as
        entradas: a ReLU devolve sempre 0 e o seu gradiente também é zero, então os pesos do
        neurônio deixam de ser atualizados e ele "morre" (fica inativo para sempre). Aqui a
        camada inteira morre a partir da época 20. Para evitar: usar a **Leaky ReLU** (ou
        ELU/PReLU), que deixa passar um pequeno gradiente para $z < 0$, uma taxa de
        aprendizado menor e a inicialização He dos pesos.
    """,
}


# ---------------------------------------------------------------------------- examples
ANSWERS_OK = {
    "ex2-resposta": """
        Não mudou nada: o mapa depois da ReLU é idêntico, porque nenhum valor da convolução é
        negativo (só tem 3 e 0).
    """,
    "ex3-resposta": "Linhas horizontais (mapa 2), com intensidade 5.0, a maior de todas.",
    "ex4-resposta": """
        Dying ReLU é quando o neurônio fica com saída zero para qualquer entrada; como o
        gradiente da ReLU é 0 nessa região, ele para de aprender. Dá para evitar com Leaky ReLU
        ou reduzindo a taxa de aprendizado.
    """,
}


def example_01() -> dict:
    """Everything right, vectorized in another style (np.maximum, sliding windows)."""
    return {
        "ex1-codigo": (
            """
            def relu(x):
                return np.maximum(x, 0)
            """,
            """
            saida_1 = relu(entradas_1)
            ativos_1 = np.count_nonzero(saida_1)
            soma_1 = saida_1.sum()
            print(saida_1, ativos_1, soma_1)
            """,
        ),
        "ex2-codigo": """
            from numpy.lib.stride_tricks import sliding_window_view


            def conv2d(imagem, kernel):
                janelas = sliding_window_view(imagem, kernel.shape)  # (H-kh+1, W-kw+1, kh, kw)
                return np.einsum("ijkl,kl->ij", janelas, kernel)


            mapa_2 = conv2d(imagem_2, kernel_2)
            mapa_2_relu = relu(mapa_2)
            print(mapa_2_relu)
        """,
        "ex2-resposta": """
            **Sua resposta aqui:** A ReLU não mudou o mapa: ele permanece igual, porque todos
            os valores (3 e 0) são maiores ou iguais a zero e a ReLU só afeta os negativos.
        """,
        "ex3-codigo": """
            ativos_3 = (mapas_3 > 0).sum(axis=(1, 2)).tolist()
            intensidades_3 = mapas_3.sum(axis=(1, 2))
            mais_detectada_3 = intensidades_3.tolist().index(max(intensidades_3)) + 1
            print(ativos_3, intensidades_3, mais_detectada_3)
        """,
        "ex3-resposta": """
            **Sua resposta aqui:** a característica mais detectada foi a de linhas horizontais
            (soma 5,0 contra 4,3, 3,4 e 4,6 dos outros mapas).
        """,
        "ex4-codigo": """
            ativos_4 = list((relu(pre_ativacoes_4) > 0).sum(axis=1))
            mortos = [e for e, a in zip(epocas_4, ativos_4) if a == 0]
            epoca_morte_4 = mortos[0]
            print(ativos_4, epoca_morte_4)
        """,
        "ex4-resposta": """
            **Sua resposta aqui:** no dying ReLU os neurônios ficam com pré-ativação negativa,
            a saída fica sempre 0 e o gradiente também, então eles morrem e não aprendem mais.
            Soluções: inicialização He, uma learning rate menor ou trocar a ReLU pela Leaky ReLU.
        """,
    }


def example_02() -> dict:
    """relu written for 1-D lists only: it raises on 2-D arrays (ex2 works around it)."""
    return {
        "ex1-codigo": """
            def relu(x):
                # percorre o vetor e troca os negativos por zero
                resultado = []
                for valor in x:
                    resultado.append(max(0.0, valor))
                return np.array(resultado)


            saida_1 = relu(entradas_1)
            ativos_1 = 0
            soma_1 = 0
            for valor in saida_1:
                if valor > 0:
                    ativos_1 += 1
                soma_1 += valor
            print(saida_1, ativos_1, soma_1)
        """,
        "ex2-codigo": """
            def conv2d(imagem, kernel):
                kh, kw = kernel.shape
                linhas = imagem.shape[0] - kh + 1
                colunas = imagem.shape[1] - kw + 1
                saida = np.zeros((linhas, colunas))
                for i in range(linhas):
                    for j in range(colunas):
                        janela = imagem[i:i + kh, j:j + kw]
                        saida[i][j] = (janela * kernel).sum()
                return saida


            mapa_2 = conv2d(imagem_2, kernel_2)
            # relu(mapa_2) dá erro numa matriz, então aplico linha por linha
            mapa_2_relu = np.array([relu(linha) for linha in mapa_2])
            print(mapa_2_relu)
        """,
        **{k: v for k, v in ANSWERS_OK.items() if k != "ex4-resposta"},
        "ex3-codigo": """
            ativos_3 = []
            intensidades_3 = []
            for mapa in mapas_3:
                ativos_3.append(int((mapa > 0).sum()))
                intensidades_3.append(round(float(mapa.sum()), 2))
            mais_detectada_3 = intensidades_3.index(max(intensidades_3)) + 1
        """,
        "ex4-codigo": """
            ativos_4 = [int((relu(z) > 0).sum()) for z in pre_ativacoes_4]
            epoca_morte_4 = epocas_4[ativos_4.index(0)]
            print(ativos_4, epoca_morte_4)
        """,
        "ex4-resposta": ANSWERS_OK["ex4-resposta"],
    }


def example_03() -> dict:
    """conv2d pads the image with a fixed 1-pixel border of zeros: 'same' output, wrong shape."""
    return {
        "ex1-codigo": REFERENCE_FILLS["ex1-codigo"],
        "ex2-codigo": """
            def conv2d(imagem, kernel):
                # padding de zeros para a saída ter o mesmo tamanho da imagem
                com_borda = np.pad(imagem, 1)
                kh, kw = kernel.shape
                saida = np.zeros((com_borda.shape[0] - kh + 1, com_borda.shape[1] - kw + 1))
                for i in range(saida.shape[0]):
                    for j in range(saida.shape[1]):
                        saida[i, j] = np.sum(com_borda[i:i + kh, j:j + kw] * kernel)
                return saida


            mapa_2 = conv2d(imagem_2, kernel_2)
            mapa_2_relu = relu(mapa_2)
            print(mapa_2)
            print(mapa_2_relu)
        """,
        "ex2-resposta": """
            A ReLU mudou o mapa: os valores -2 e -3 da última coluna viraram 0.
        """,
        "ex3-codigo": REFERENCE_FILLS["ex3-codigo"],
        "ex3-resposta": ANSWERS_OK["ex3-resposta"],
        "ex4-codigo": REFERENCE_FILLS["ex4-codigo"],
        "ex4-resposta": ANSWERS_OK["ex4-resposta"],
    }


def example_04() -> dict:
    """Counts z >= 0 as active (so epoch 20 still has one) and a wrong idea of dying ReLU."""
    return {
        "ex1-codigo": REFERENCE_FILLS["ex1-codigo"],
        "ex2-codigo": REFERENCE_FILLS["ex2-codigo"],
        "ex2-resposta": ANSWERS_OK["ex2-resposta"],
        "ex3-codigo": REFERENCE_FILLS["ex3-codigo"],
        "ex3-resposta": ANSWERS_OK["ex3-resposta"],
        "ex4-codigo": """
            # um neurônio com z = 0 ainda não morreu
            ativos_4 = [int(np.sum(z >= 0)) for z in pre_ativacoes_4]
            epoca_morte_4 = epocas_4[ativos_4.index(0)]
            print(ativos_4, epoca_morte_4)
        """,
        "ex4-resposta": """
            Dying ReLU é quando os neurônios saturam com valores muito grandes e os gradientes
            explodem. Para resolver, é só aumentar a taxa de aprendizado.
        """,
    }


def example_06() -> dict:
    """conv2d assumes square arrays; a vague ex3 answer; a NameError in exercise 4."""
    return {
        "ex1-codigo": """
            def relu(x):
                x = np.array(x, dtype=float)
                x[x < 0] = 0
                return x


            saida_1 = relu(entradas_1)
            ativos_1 = int((saida_1 > 0).sum())
            soma_1 = float(saida_1.sum())
        """,
        "ex2-codigo": """
            def conv2d(imagem, kernel):
                n = imagem.shape[0]   # imagem quadrada n x n
                k = kernel.shape[0]   # kernel quadrado k x k
                m = n - k + 1
                saida = np.zeros((m, m))
                for i in range(m):
                    for j in range(m):
                        saida[i, j] = np.sum(imagem[i:i + k, j:j + k] * kernel)
                return saida


            mapa_2 = conv2d(imagem_2, kernel_2)
            mapa_2_relu = relu(mapa_2)
        """,
        "ex2-resposta": ANSWERS_OK["ex2-resposta"],
        "ex3-codigo": REFERENCE_FILLS["ex3-codigo"],
        "ex3-resposta": "O mapa 2 foi o mais detectado, porque tem a maior soma.",
        "ex4-codigo": """
            ativos_4 = [int(np.sum(relu(z) > 0)) for z in pre_ativacao_4]
            epoca_morte_4 = 20
        """,
        "ex4-resposta": ANSWERS_OK["ex4-resposta"],
    }


def example_07() -> dict:
    """Wrong counts in exercises 1 and 3 and a failing cell in exercises 1, 2 and 3."""
    return {
        "ex1-codigo": (
            """
            def relu(x):
                return np.clip(x, 0, None)


            # inteiros para contar os neurônios
            saida_1 = relu(entradas_1).astype(int)
            ativos_1 = np.count_nonzero(saida_1)
            soma_1 = saida_1.sum()
            """,
            """
            print(f"Soma: {soma_1:.2f}")
            print("Ativos: " + ativos_1)
            """,
        ),
        "ex2-codigo": (
            REFERENCE_FILLS["ex2-codigo"],
            """
            print("formato do mapa:", mapa_2.shape())
            """,
        ),
        "ex2-resposta": ANSWERS_OK["ex2-resposta"],
        "ex3-codigo": """
            ativos_3 = [int(np.sum(m >= 0)) for m in mapas_3]
            intensidades_3 = [float(m.mean()) for m in mapas_3]
            mais_detectada_3 = int(np.argmax(intensidades_3))
            print(ativos_3, intensidades_3, mais_detectada_3)
            assert sum(ativos_3) == 11, "a contagem não bate com a que fiz à mão"
        """,
        "ex3-resposta": ANSWERS_OK["ex3-resposta"],
        "ex4-codigo": REFERENCE_FILLS["ex4-codigo"],
        "ex4-resposta": ANSWERS_OK["ex4-resposta"],
    }


EXAMPLES = {
    "01-correta": example_01,
    "02-relu-so-listas": example_02,
    "03-conv-com-padding": example_03,
    "04-dying-relu-errado": example_04,
    "05-template-intocado": dict,  # the template exactly as handed out
    "06-conv-quadrada-e-erro": example_06,
    "07-contas-erradas": example_07,
}


def main() -> None:
    write_assignment(TEMPLATE, REFERENCE_FILLS, EXAMPLES, template_file=TEMPLATE_FILE, reference_file=REFERENCE,
                     examples_dir=EXAMPLES_DIR)


if __name__ == "__main__":
    main()
