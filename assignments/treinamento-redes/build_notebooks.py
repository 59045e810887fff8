"""Generate the notebooks of the assignment ``treinamento-redes``.

Writes the notebook students receive (``treinamento-redes.ipynb``), the instructor's solution
(``reference/treinamento-redes.ipynb``) and the sample submissions in ``examples/``. Every
notebook is the template with some cells filled in, so they share cell ids the way a
student's copy shares them with the file they downloaded.

Time budget: the reference trains the MLP 5 epochs on the 60,000 training images (batch
128), two copies 2 epochs on 10,000 images (parte 2) and one 12 epochs on 2,000 images
(parte 3); the XOR network (NumPy) trains in well under a second. No example trains more
than the reference.

Run ``python assignments/treinamento-redes/build_notebooks.py`` after editing this file; the
notebooks are written without outputs. Expected grades of the examples live, by hand, in
``examples/expected.toml``.
"""

from __future__ import annotations

from pathlib import Path

from grader.authoring import CellSpec, code, md, write_assignment

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[1] / "reference" / "treinamento-redes.ipynb"
TEMPLATE_FILE = HERE / "treinamento-redes.ipynb"
EXAMPLES_DIR = HERE / "examples"

PLACEHOLDER_CODE = "# Seu código aqui"
PLACEHOLDER_ANSWER = "**Sua resposta aqui:**"


# ---------------------------------------------------------------------------- template
TEMPLATE: tuple[CellSpec, ...] = (
    md("intro", """
        # Treinamento de redes neurais: backpropagation, otimizadores e regularização

        Nesta aula prática vamos olhar por dentro do treinamento de uma rede neural:

        - treinar um MLP com *Dropout* no Fashion-MNIST usando o otimizador **Adam**;
        - configurar os otimizadores **SGD com momentum (Nesterov)** e **Adam** e comparar as
          curvas de perda;
        - reduzir a taxa de aprendizado ao longo das épocas com um *learning rate scheduler*;
        - escrever o **backpropagation** "na mão", com NumPy, para aprender o XOR;
        - implementar um passo do **Adam** do zero.

        **Como entregar**

        - Preencha as células marcadas com `# Seu código aqui` (você pode criar novas células
          dentro de cada parte) e a célula marcada com **Sua resposta aqui:**.
        - Use os nomes de variáveis e de funções pedidos no enunciado: a correção automática
          avalia os seus modelos treinados no conjunto de teste e também chama as suas funções
          `scheduler`, `prever_xor` e `passo_adam` com outras entradas.
        - Não altere os títulos das partes (`## Parte ...`): a correção usa esses títulos para
          encontrar o seu código e as suas respostas.
        - Não treine mais do que o enunciado pede: a correção executa o notebook inteiro com
          tempo limitado.
        - Antes de entregar, reinicie o kernel e execute o notebook inteiro
          (*Kernel → Restart & Run All*) para ter certeza de que tudo roda sem erros.
    """),
    code("imports", """
        import numpy as np
        import keras
        from keras import layers

        np.set_printoptions(precision=4, suppress=True)
        print("NumPy", np.__version__, "| Keras", keras.__version__)
    """),
    md("revisao", """
        ## Revisão: como uma rede aprende

        **Backpropagation.** No *forward pass* a rede calcula, camada por camada, a sua saída
        e a perda $L$. No *backward pass* a **regra da cadeia** leva o gradiente da perda de
        volta, da saída para a entrada: para cada camada obtemos $\\partial L / \\partial W$ e
        $\\partial L / \\partial b$ reaproveitando o gradiente que veio da camada seguinte.

        **Gradiente descendente.** Cada peso anda no sentido contrário ao gradiente:
        $\\theta \\leftarrow \\theta - \\eta \\, \\nabla_\\theta L$, onde $\\eta$ é a **taxa de
        aprendizado**. As variantes diferem em quantos exemplos usam por passo:

        | Variante | Exemplos por atualização |
        | --- | --- |
        | *Batch* (lote completo) | todo o conjunto de treino |
        | Estocástico (SGD) | 1 exemplo |
        | *Mini-batch* | um lote pequeno (32, 64, 128, ...): o padrão do Keras (`batch_size`) |

        **Momentum.** Acumula uma "velocidade" com a média dos gradientes recentes,
        $v \\leftarrow \\beta v - \\eta \\nabla L$, $\\theta \\leftarrow \\theta + v$: o passo
        acelera em direções consistentes e oscila menos. O momentum de **Nesterov** calcula o
        gradiente no ponto para onde a velocidade já está levando os pesos.

        **Adam.** Combina o momentum (média móvel dos gradientes, o 1º momento $m$) com uma
        taxa de aprendizado **adaptativa para cada parâmetro** (média móvel dos gradientes ao
        quadrado, o 2º momento $v$, como no RMSProp), com correção de viés nos primeiros
        passos.

        **Regularização.** Técnicas que reduzem o *overfitting*: penalidades L1/L2 nos pesos,
        **Dropout** (desliga ao acaso uma fração dos neurônios a cada passo de treino) e
        *early stopping* (parar quando a perda de validação para de cair).

        **Agendamento da taxa de aprendizado.** Uma taxa alta no início acelera o treino; uma
        taxa menor no fim ajuda a refinar os pesos. Um *scheduler* decide a taxa de cada época
        (decaimento em degraus, exponencial, ...).
    """),
    md("dados-texto", """
        ## Dados: Fashion-MNIST

        O Fashion-MNIST tem 70.000 imagens 28×28 em tons de cinza de 10 tipos de roupas e
        calçados (60.000 para treino e 10.000 para teste). Um MLP recebe vetores: cada imagem
        vira um vetor de 784 pixels, com valores divididos por 255 (intervalo [0, 1]).
        Execute a célula abaixo; as variáveis `x_train`, `y_train`, `x_test` e `y_test` são
        usadas em todo o notebook.
    """),
    code("dados-codigo", """
        (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()

        # (n, 28, 28) com pixels de 0 a 255  ->  (n, 784) com valores entre 0 e 1
        x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
        x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

        classes = ["camiseta", "calça", "pulôver", "vestido", "casaco",
                   "sandália", "camisa", "tênis", "bolsa", "bota"]
        print("Treino:", x_train.shape, y_train.shape, "| Teste:", x_test.shape, y_test.shape)
    """),
    md("p1-texto", """
        ## Parte 1: MLP com Dropout no Fashion-MNIST

        Construa o MLP abaixo:

        | Camada | Configuração |
        | --- | --- |
        | `Dense` | 128 neurônios, `relu`, entrada de 784 valores |
        | `Dropout` | taxa 0,2 |
        | `Dense` | 64 neurônios, `relu` |
        | `Dropout` | taxa 0,2 |
        | `Dense` | 10 neurônios, `softmax` |

        1. Escreva a função `criar_mlp()` que **devolve um modelo novo** com essa arquitetura
           (você vai reutilizá-la nas partes 2 e 3) e guarde um modelo em `modelo`. Confira no
           `summary()`: são **109.386** parâmetros.
        2. Compile com o otimizador **Adam**, a perda `"sparse_categorical_crossentropy"` (os
           rótulos são inteiros de 0 a 9) e `metrics=["accuracy"]` (em Keras 3, passe os
           argumentos pelo nome).
        3. Treine com **todo** o conjunto de treino por **5 épocas** com `batch_size=128`.
        4. Avalie no conjunto de teste. A correção avalia o seu modelo treinado: procure chegar
           a pelo menos **84%** de acurácia.
    """),
    code("p1-modelo", f"""
        def criar_mlp():
            {PLACEHOLDER_CODE}
            pass


        modelo = criar_mlp()
    """),
    code("p1-treino", f"{PLACEHOLDER_CODE}: compile e treine `modelo`"),
    code("p1-avaliacao", f"{PLACEHOLDER_CODE}: avalie `modelo` no conjunto de teste"),
    md("p2-texto", """
        ## Parte 2: configurando os otimizadores

        No Keras cada otimizador é um objeto com os seus hiperparâmetros:

        - `keras.optimizers.SGD(learning_rate=..., momentum=..., nesterov=...)`: gradiente
          descendente com momentum (`nesterov=True` usa o momentum de Nesterov);
        - `keras.optimizers.Adam(learning_rate=..., beta_1=..., beta_2=..., epsilon=...)`:
          `beta_1` controla a média dos gradientes (1º momento), `beta_2` a média dos
          gradientes ao quadrado (2º momento) e `epsilon` evita a divisão por zero.

        1. Crie `otimizador_sgd = SGD(learning_rate=0.01, momentum=0.9, nesterov=True)` e
           `otimizador_adam = Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)`.
        2. Crie **dois modelos novos** com `criar_mlp()`, `modelo_sgd` e `modelo_adam`, e
           compile cada um com o seu otimizador e a perda `"sparse_categorical_crossentropy"`
           (cada modelo precisa do **seu próprio** objeto otimizador).
        3. Treine cada um por **2 épocas** com as **10.000 primeiras** imagens de treino
           (`x_train[:10000]`, `y_train[:10000]`) e `batch_size=64`, guardando os históricos
           devolvidos por `fit` em `historico_sgd` e `historico_adam`.
        4. Mostre a perda de cada época dos dois modelos (`historico.history["loss"]`).
    """),
    code("p2-otimizadores", f"""
        {PLACEHOLDER_CODE}

        otimizador_sgd = None
        otimizador_adam = None
    """),
    code("p2-treino", f"""
        {PLACEHOLDER_CODE}

        historico_sgd = None
        historico_adam = None
    """),
    md("p3-texto", """
        ## Parte 3: agendamento da taxa de aprendizado

        O callback `keras.callbacks.LearningRateScheduler(scheduler)` chama, no início de
        cada época, a função `scheduler(epoch, lr)` com o número da época (começando em 0) e a
        taxa de aprendizado atual, e usa como nova taxa o valor que ela devolve.

        1. Escreva `scheduler(epoch, lr)` que **mantém** a taxa nas 10 primeiras épocas
           (`epoch < 10`) e, a partir daí, a multiplica por $e^{-0{,}1}$ a cada época
           (`lr * np.exp(-0.1)`). Devolva um `float` comum do Python (por exemplo,
           `float(...)`): o Keras 3 recusa tensores.
        2. Crie o callback, um modelo novo `modelo_lr` com `criar_mlp()`, compile-o (por
           exemplo com `SGD(learning_rate=0.01, momentum=0.9)`) e treine-o por **12 épocas**
           com as **2.000 primeiras** imagens de treino e `batch_size=64`, passando o callback
           em `fit(..., callbacks=[...])`.
        3. Mostre a taxa de aprendizado de cada época (`historico.history["learning_rate"]`).
    """),
    code("p3-scheduler", f"""
        def scheduler(epoch, lr):
            {PLACEHOLDER_CODE}
            pass
    """),
    code("p3-treino", PLACEHOLDER_CODE),
    md("p4-texto", """
        ## Parte 4: backpropagation na mão (XOR com NumPy)

        O XOR não é linearmente separável: um único neurônio não o resolve, mas uma camada
        oculta com ReLU, sim. Vamos treinar, só com NumPy, a rede

        $$z_1 = X W_1 + b_1,\\quad a_1 = \\mathrm{ReLU}(z_1),\\quad z_2 = a_1 W_2 + b_2,\\quad
        p = \\sigma(z_2)$$

        com 8 neurônios ocultos, saída sigmoide e a **entropia cruzada binária**
        $L = -\\frac{1}{n}\\sum \\left[y \\log p + (1 - y) \\log(1 - p)\\right]$ como perda.
        Pela regra da cadeia, com $n = 4$ exemplos:

        | Gradiente | Fórmula |
        | --- | --- |
        | $\\partial L / \\partial z_2$ | $(p - y) / n$ |
        | $\\partial L / \\partial W_2$, $\\partial L / \\partial b_2$ | $a_1^\\top \\, \\partial z_2$, soma das linhas de $\\partial z_2$ |
        | $\\partial L / \\partial a_1$ | $\\partial z_2 \\, W_2^\\top$ |
        | $\\partial L / \\partial z_1$ | $\\partial a_1 \\odot [z_1 > 0]$ (derivada da ReLU) |
        | $\\partial L / \\partial W_1$, $\\partial L / \\partial b_1$ | $X^\\top \\, \\partial z_1$, soma das linhas de $\\partial z_1$ |

        A célula seguinte já cria os dados e os pesos iniciais (semente fixa).

        1. Escreva o laço de treinamento: em cada uma das `epocas_xor` épocas, faça o forward,
           calcule a perda e **acrescente-a à lista `perdas_xor`**, faça o backward e dê um
           passo do gradiente descendente com `taxa_xor` em **todos** os pesos e vieses.
        2. Escreva `prever_xor(X)`, que recebe uma matriz com uma linha por ponto e devolve,
           com os pesos treinados, um **vetor 1-D de inteiros** (0 ou 1) com a classe prevista
           de cada linha (classe 1 quando $p > 0{,}5$).
    """),
    code("p4-dados", """
        X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
        y_xor = np.array([[0], [1], [1], [0]], dtype=float)  # formato (4, 1)

        rng = np.random.default_rng(0)
        n_ocultos = 8
        W1 = rng.normal(0, np.sqrt(2 / 2), size=(2, n_ocultos))  # inicialização He
        b1 = np.zeros(n_ocultos)
        W2 = rng.normal(0, np.sqrt(2 / n_ocultos), size=(n_ocultos, 1))
        b2 = np.zeros(1)

        taxa_xor = 0.1
        epocas_xor = 2000


        def sigmoide(z):
            return 1 / (1 + np.exp(-z))
    """),
    code("p4-treino", f"""
        perdas_xor = []

        {PLACEHOLDER_CODE}: laço de treinamento (forward, perda, backward, atualização)


        def prever_xor(X):
            {PLACEHOLDER_CODE}
            pass
    """),
    md("p5-texto", """
        ## Parte 5: um passo do Adam do zero

        No passo $t$ (contado a partir de 1), com gradiente $g$, o Adam atualiza:

        $$m_t = \\beta_1 m_{t-1} + (1 - \\beta_1)\\, g \\qquad v_t = \\beta_2 v_{t-1} + (1 - \\beta_2)\\, g^2$$

        $$\\hat m_t = \\frac{m_t}{1 - \\beta_1^t} \\qquad \\hat v_t = \\frac{v_t}{1 - \\beta_2^t}
        \\qquad \\theta_t = \\theta_{t-1} - \\eta \\, \\frac{\\hat m_t}{\\sqrt{\\hat v_t} + \\epsilon}$$

        Como $m$ e $v$ começam em zero, as médias ficam "puxadas" para zero nos primeiros
        passos: a **correção de viés** ($\\hat m_t$, $\\hat v_t$) compensa isso.

        1. Escreva `passo_adam(theta, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)`,
           que recebe arrays NumPy de **qualquer formato** (todos do mesmo formato) e o passo
           `t`, e devolve a tupla `(theta_novo, m_novo, v_novo)`, sem alterar os arrays
           recebidos.
        2. Teste: com `theta = [0.5, -1.0]`, `grad = [0.1, -0.2]`, `m = v = [0, 0]` e `t = 1`,
           o novo `theta` deve ser aproximadamente `[0.499, -0.999]` (no primeiro passo o
           Adam anda cerca de `lr` em cada coordenada).
    """),
    code("p5-codigo", f"""
        def passo_adam(theta, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            {PLACEHOLDER_CODE}
            pass
    """),
    md("p6-texto", """
        ## Parte 6: SGD com momentum × Adam

        A célula abaixo mostra as perdas por época dos dois modelos da Parte 2.
    """),
    code("p6-comparacao", """
        for nome, historico in [("SGD com momentum (Nesterov)", historico_sgd), ("Adam", historico_adam)]:
            if historico is None:
                print(f"{nome}: treine o modelo na Parte 2 primeiro.")
            else:
                perdas = [round(float(p), 4) for p in historico.history["loss"]]
                print(f"{nome}: perda por época = {perdas}")
    """),
    md("p6-pergunta", """
        **Pergunta.** Qual é a principal diferença entre o SGD com momentum e o Adam na forma
        de atualizar os pesos? Qual dos dois ajusta a taxa de aprendizado de cada parâmetro, e
        usando qual informação?
    """),
    md("p6-resposta", PLACEHOLDER_ANSWER, "resposta:p6"),
)


# ---------------------------------------------------------------------------- reference
REFERENCE_FILLS = {
    "p1-modelo": """
        def criar_mlp():
            \"\"\"Um MLP novo, sem treino: 784 -> 128 -> 64 -> 10, com Dropout de 20%.\"\"\"
            return keras.Sequential([
                keras.Input(shape=(784,)),
                layers.Dense(128, activation="relu"),
                layers.Dropout(0.2),
                layers.Dense(64, activation="relu"),
                layers.Dropout(0.2),
                layers.Dense(10, activation="softmax"),
            ])


        modelo = criar_mlp()
        modelo.summary()
        print("Parâmetros:", modelo.count_params())
    """,
    "p1-treino": """
        modelo.compile(
            optimizer="adam",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        historico = modelo.fit(x_train, y_train, epochs=5, batch_size=128, verbose=2)
    """,
    "p1-avaliacao": """
        perda, acuracia = modelo.evaluate(x_test, y_test, verbose=0)
        print(f"Acurácia no teste: {acuracia:.4f}")
    """,
    "p2-otimizadores": """
        otimizador_sgd = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
        otimizador_adam = keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)

        for otimizador in (otimizador_sgd, otimizador_adam):
            config = otimizador.get_config()
            print(config["name"], {k: config[k] for k in config if k in
                                   ("learning_rate", "momentum", "nesterov", "beta_1", "beta_2", "epsilon")})
    """,
    "p2-treino": """
        modelo_sgd = criar_mlp()
        modelo_sgd.compile(optimizer=otimizador_sgd, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        historico_sgd = modelo_sgd.fit(x_train[:10000], y_train[:10000], epochs=2, batch_size=64, verbose=0)

        modelo_adam = criar_mlp()
        modelo_adam.compile(optimizer=otimizador_adam, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        historico_adam = modelo_adam.fit(x_train[:10000], y_train[:10000], epochs=2, batch_size=64, verbose=0)

        for nome, historico in [("SGD + Nesterov", historico_sgd), ("Adam", historico_adam)]:
            perdas = [round(p, 4) for p in historico.history["loss"]]
            acuracias = [round(a, 4) for a in historico.history["accuracy"]]
            print(f"{nome:15s} perda: {perdas}  acurácia: {acuracias}")
    """,
    "p3-scheduler": """
        def scheduler(epoch, lr):
            \"\"\"Mantém a taxa nas 10 primeiras épocas; depois a multiplica por exp(-0,1) a cada época.\"\"\"
            if epoch < 10:
                return float(lr)
            return float(lr * np.exp(-0.1))


        for epoca in (0, 9, 10, 11):
            print(f"scheduler({epoca}, 0.01) = {scheduler(epoca, 0.01):.6f}")
    """,
    "p3-treino": """
        callback_lr = keras.callbacks.LearningRateScheduler(scheduler)

        modelo_lr = criar_mlp()
        modelo_lr.compile(
            optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        historico_lr = modelo_lr.fit(x_train[:2000], y_train[:2000], epochs=12, batch_size=64,
                                     callbacks=[callback_lr], verbose=0)

        for epoca, taxa in enumerate(historico_lr.history["learning_rate"]):
            print(f"época {epoca:2d}: taxa de aprendizado {taxa:.6f}")
    """,
    "p4-treino": """
        perdas_xor = []

        for epoca in range(epocas_xor):
            # forward
            z1 = X_xor @ W1 + b1          # (4, 8)
            a1 = np.maximum(z1, 0)        # ReLU
            z2 = a1 @ W2 + b2             # (4, 1)
            p = sigmoide(z2)
            # perda: entropia cruzada binária (1e-12 evita log(0))
            perda = -np.mean(y_xor * np.log(p + 1e-12) + (1 - y_xor) * np.log(1 - p + 1e-12))
            perdas_xor.append(float(perda))
            # backward: regra da cadeia, da saída para a entrada
            n = len(X_xor)
            dz2 = (p - y_xor) / n
            dW2 = a1.T @ dz2
            db2 = dz2.sum(axis=0)
            da1 = dz2 @ W2.T
            dz1 = da1 * (z1 > 0)
            dW1 = X_xor.T @ dz1
            db1 = dz1.sum(axis=0)
            # passo do gradiente descendente
            W1 -= taxa_xor * dW1
            b1 -= taxa_xor * db1
            W2 -= taxa_xor * dW2
            b2 -= taxa_xor * db2


        def prever_xor(X):
            \"\"\"Classe prevista (0 ou 1) de cada linha de X, com os pesos treinados.\"\"\"
            X = np.asarray(X, dtype=float)
            p = sigmoide(np.maximum(X @ W1 + b1, 0) @ W2 + b2)
            return (p[:, 0] > 0.5).astype(int)


        print(f"perda: {perdas_xor[0]:.4f} (época 0) -> {perdas_xor[-1]:.4f} (época {epocas_xor - 1})")
        print("previsões:", prever_xor(X_xor), "| esperado:", y_xor[:, 0].astype(int))
    """,
    "p5-codigo": """
        def passo_adam(theta, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            \"\"\"Um passo do Adam; devolve (theta_novo, m_novo, v_novo) sem alterar as entradas.\"\"\"
            m_novo = beta1 * m + (1 - beta1) * grad
            v_novo = beta2 * v + (1 - beta2) * grad ** 2
            m_chapeu = m_novo / (1 - beta1 ** t)
            v_chapeu = v_novo / (1 - beta2 ** t)
            theta_novo = theta - lr * m_chapeu / (np.sqrt(v_chapeu) + eps)
            return theta_novo, m_novo, v_novo


        theta, m, v = passo_adam(np.array([0.5, -1.0]), np.array([0.1, -0.2]), np.zeros(2), np.zeros(2), 1)
        print("um passo: theta =", theta, "| m =", m.tolist(), "| v =", v.tolist())

        # Minimizando f(theta) = (theta - 3)^2 a partir de theta = 0, com lr = 0,1.
        theta, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
        for t in range(1, 201):
            theta, m, v = passo_adam(theta, 2 * (theta - 3), m, v, t, lr=0.1)
        print("depois de 200 passos: theta =", theta)
    """,
    "p6-resposta": """
        **Resposta:** o SGD com momentum usa a **mesma taxa de aprendizado** para todos os
        parâmetros: o momentum só acumula a média dos gradientes recentes (a velocidade), o que
        acelera o passo nas direções consistentes. O **Adam** também usa essa média (o 1º
        momento), mas **adapta a taxa de cada parâmetro**: divide o passo pela raiz da média
        móvel dos gradientes **ao quadrado** (o 2º momento, como no RMSProp). Parâmetros com
        gradientes grandes andam passos menores e os com gradientes pequenos, passos maiores;
        por isso o Adam costuma reduzir a perda mais depressa no começo do treino e é menos
        sensível à escolha da taxa.
    """,
}


# ---------------------------------------------------------------------------- shared pieces of examples
ANSWER_OK = """
    O Adam tem taxa de aprendizado adaptativa: para cada parâmetro ele divide o passo pela
    raiz da média dos gradientes ao quadrado, além de usar o momentum. No SGD com momentum a
    taxa é a mesma para todos os pesos.
"""

# Parte 1 right, trained 3 epochs instead of 5 (about 0.86, still above 0.84): saves time
# in the examples whose mistakes are elsewhere (02, 04, 06).
P1_TREINO_CURTO = """
    modelo.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    # 3 épocas em vez de 5 para ganhar tempo
    historico = modelo.fit(x_train, y_train, epochs=3, batch_size=128, verbose=2)
"""
PARTE_1_OK = {"p1-modelo": REFERENCE_FILLS["p1-modelo"], "p1-treino": P1_TREINO_CURTO,
              "p1-avaliacao": REFERENCE_FILLS["p1-avaliacao"]}
PARTE_2_OK = {k: REFERENCE_FILLS[k] for k in ("p2-otimizadores", "p2-treino")}
PARTE_3_OK = {k: REFERENCE_FILLS[k] for k in ("p3-scheduler", "p3-treino")}


# ---------------------------------------------------------------------------- examples
def example_01() -> dict:
    """Everything right in another style: functional API, clone_model, np.where, other names."""
    return {
        "p1-modelo": """
            def criar_mlp():
                entrada = keras.Input(shape=(784,), name="pixels")
                x = layers.Dense(128, activation="relu")(entrada)
                x = layers.Dropout(0.2)(x)
                x = layers.Dense(64, activation="relu")(x)
                x = layers.Dropout(0.2)(x)
                saida = layers.Dense(10, activation="softmax")(x)
                return keras.Model(entrada, saida, name="mlp_fashion")


            rede = criar_mlp()
            rede.summary()
        """,
        "p1-treino": """
            rede.compile(
                optimizer=keras.optimizers.Adam(),
                loss=keras.losses.SparseCategoricalCrossentropy(),
                metrics=["accuracy"],
            )
            rede.fit(x_train, y_train, epochs=5, batch_size=128, verbose=2)
        """,
        "p1-avaliacao": """
            resultado = rede.evaluate(x_test, y_test, verbose=0, return_dict=True)
            print(resultado)
        """,
        "p2-otimizadores": """
            otimizador_sgd = keras.optimizers.SGD(learning_rate=1e-2, momentum=0.9, nesterov=True)
            otimizador_adam = keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-07)
        """,
        "p2-treino": """
            historicos = {}
            for nome, otimizador in [("sgd", otimizador_sgd), ("adam", otimizador_adam)]:
                copia = keras.models.clone_model(rede)
                copia.compile(optimizer=otimizador, loss=keras.losses.SparseCategoricalCrossentropy(),
                              metrics=["accuracy"])
                historicos[nome] = copia.fit(x_train[:10000], y_train[:10000], epochs=2, batch_size=64, verbose=0)
                print(nome, historicos[nome].history["loss"])

            historico_sgd = historicos["sgd"]
            historico_adam = historicos["adam"]
        """,
        "p3-scheduler": """
            def scheduler(epoch, lr):
                return float(np.where(epoch < 10, lr, lr * np.exp(-0.1)))
        """,
        "p3-treino": """
            agendador = keras.callbacks.LearningRateScheduler(scheduler, verbose=0)
            rede_lr = criar_mlp()
            rede_lr.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                            loss="sparse_categorical_crossentropy")
            h = rede_lr.fit(x_train[:2000], y_train[:2000], epochs=12, batch_size=64,
                            callbacks=[agendador], verbose=0)
            print(np.round(h.history["learning_rate"], 6))
        """,
        "p4-treino": """
            def forward(X):
                z1 = X @ W1 + b1
                a1 = np.maximum(0, z1)
                p = sigmoide(a1 @ W2 + b2)
                return z1, a1, p


            perdas_xor = []
            for _ in range(epocas_xor):
                z1, a1, p = forward(X_xor)
                p_seguro = np.clip(p, 1e-7, 1 - 1e-7)
                perdas_xor.append(-np.mean(y_xor * np.log(p_seguro) + (1 - y_xor) * np.log(1 - p_seguro)))

                grad_z2 = (p - y_xor) / X_xor.shape[0]
                grad_W2, grad_b2 = a1.T @ grad_z2, grad_z2.sum(axis=0)
                grad_z1 = (grad_z2 @ W2.T) * (z1 > 0)
                grad_W1, grad_b1 = X_xor.T @ grad_z1, grad_z1.sum(axis=0)

                for parametro, gradiente in [(W1, grad_W1), (b1, grad_b1), (W2, grad_W2), (b2, grad_b2)]:
                    parametro -= taxa_xor * gradiente  # atualiza no lugar


            def prever_xor(X):
                return np.round(forward(np.asarray(X))[2]).astype(int).ravel()


            print(perdas_xor[0], perdas_xor[-1], prever_xor(X_xor))
        """,
        "p5-codigo": """
            def passo_adam(theta, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
                # a versão "eficiente" do artigo do Adam: a correção de viés vai para a taxa
                m = beta1 * m + (1 - beta1) * grad
                v = beta2 * v + (1 - beta2) * np.square(grad)
                lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                return theta - lr_t * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2 ** t)), m, v


            print(passo_adam(np.array([0.5, -1.0]), np.array([0.1, -0.2]), np.zeros(2), np.zeros(2), 1)[0])
        """,
        "p6-resposta": """
            **Sua resposta aqui:** Adam = momentum + RMSProp. Ele guarda a média dos gradientes
            (1º momento) e a média dos gradientes ao quadrado (2º momento) e divide o passo pela
            raiz desta, então cada peso tem uma taxa adaptativa própria. No SGD com momentum a
            taxa é única para a rede toda; o momentum só suaviza a direção do passo.
        """,
    }


def example_02() -> dict:
    """Optimizers half configured (no Nesterov, epsilon 1e-8), failing cells, a swapped answer."""
    return {
        "p1-modelo": """
            def criar_mlp():
                return keras.Sequential([
                    layers.Dense(128, activation="relu", input_shape=(784,)),
                    layers.Dropout(0.2),
                    layers.Dense(64, activation="relu"),
                    layers.Dropout(0.2),
                    layers.Dense(10, activation="softmax"),
                ])


            modelo = criar_mlp()
            modelo.summary()
        """,
        "p1-treino": P1_TREINO_CURTO,
        "p1-avaliacao": REFERENCE_FILLS["p1-avaliacao"],
        "p2-otimizadores": """
            otimizador_sgd = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
            # epsilon do artigo original do Adam
            otimizador_adam = keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
        """,
        "p2-treino": (
            """
            modelo_sgd = criar_mlp()
            modelo_sgd.compile(optimizer=otimizador_sgd, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            historico_sgd = modelo_sgd.fit(x_train[:10000], y_train[:10000], epochs=2, batch_size=64, verbose=0)

            modelo_adam = criar_mlp()
            modelo_adam.compile(optimizer=otimizador_adam, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            historico_adam = modelo_adam.fit(x_train[:10000], y_train[:10000], epochs=2, batch_size=64, verbose=0)
            """,
            """
            # perda de treino e de validação de cada otimizador
            for nome, h in [("SGD", historico_sgd), ("Adam", historico_adam)]:
                print(nome, h.history["loss"], h.history["val_loss"])
            """,
        ),
        **PARTE_3_OK,
        "p4-treino": REFERENCE_FILLS["p4-treino"],
        "p5-codigo": (
            """
            def passo_adam(theta, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
                m_novo = beta1 * m + (1 - beta1) * grad
                v_novo = beta2 * v + (1 - beta2) * grad ** 2
                m_hat = m_novo / (1 - beta1 ** t)
                v_hat = v_novo / (1 - beta2 ** t)
                return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_novo, v_novo
            """,
            """
            # testando: minimizar (theta - 3)^2
            theta, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
            for passo in range(100):
                theta, m, v = passo_adam(theta, 2 * (theta - 3), m, v, lr=0.1)
            print(theta)
            """,
        ),
        "p6-resposta": """
            O SGD adapta a taxa de aprendizado de cada parâmetro conforme o treino avança,
            enquanto o Adam usa uma taxa fixa para todos os pesos, só que com momentum.
        """,
    }


def example_03() -> dict:
    """Parte 1 compiled with plain SGD (lower accuracy), scheduler off by one, booleans for XOR."""
    return {
        "p1-modelo": """
            def criar_mlp():
                modelo = keras.Sequential()
                modelo.add(keras.Input(shape=(784,)))
                modelo.add(layers.Dense(128, activation="relu"))
                modelo.add(layers.Dropout(0.2))
                modelo.add(layers.Dense(64, activation="relu"))
                modelo.add(layers.Dropout(0.2))
                modelo.add(layers.Dense(10, activation="softmax"))
                return modelo


            modelo = criar_mlp()
            print(modelo.count_params())
        """,
        "p1-treino": """
            modelo.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            modelo.fit(x_train, y_train, epochs=3, batch_size=64, verbose=2)
        """,
        "p1-avaliacao": """
            print("acurácia:", modelo.evaluate(x_test, y_test, verbose=0)[1])
        """,
        **PARTE_2_OK,
        "p3-scheduler": """
            def scheduler(epoch, lr):
                # até a época 10 a taxa fica igual
                if epoch <= 10:
                    return lr
                return lr * float(np.exp(-0.1))
        """,
        "p3-treino": REFERENCE_FILLS["p3-treino"],
        "p4-treino": """
            perdas_xor = []

            for epoca in range(epocas_xor):
                z1 = X_xor @ W1 + b1
                a1 = np.maximum(z1, 0)
                p = sigmoide(a1 @ W2 + b2)
                perdas_xor.append(float(-np.mean(y_xor * np.log(p) + (1 - y_xor) * np.log(1 - p))))
                dz2 = (p - y_xor) / 4
                dz1 = (dz2 @ W2.T) * (z1 > 0)
                W2 -= taxa_xor * (a1.T @ dz2)
                b2 -= taxa_xor * dz2.sum(axis=0)
                W1 -= taxa_xor * (X_xor.T @ dz1)
                b1 -= taxa_xor * dz1.sum(axis=0)


            def prever_xor(X):
                a1 = np.maximum(X @ W1 + b1, 0)
                return sigmoide(a1 @ W2 + b2)[:, 0] > 0.5


            print(prever_xor(X_xor))
        """,
        "p5-codigo": REFERENCE_FILLS["p5-codigo"],
        "p6-resposta": ANSWER_OK,
    }


def example_04() -> dict:
    """Adam step without bias correction, scheduler stuck at 0.01, XOR losses list lost."""
    return {
        **PARTE_1_OK,
        **PARTE_2_OK,
        "p3-scheduler": """
            taxa_inicial = 0.01


            def scheduler(epoch, lr):
                if epoch < 10:
                    return taxa_inicial
                return taxa_inicial * float(np.exp(-0.1))
        """,
        "p3-treino": REFERENCE_FILLS["p3-treino"],
        "p4-treino": """
            def prever_xor(X):
                saida = sigmoide(np.maximum(X @ W1 + b1, 0) @ W2 + b2)
                return (saida > 0.5).astype(int).flatten()


            perdas_xor = []
            for epoca in range(epocas_xor):
                z1 = X_xor @ W1 + b1
                a1 = np.maximum(z1, 0)
                p = sigmoide(a1 @ W2 + b2)
                perda = -np.mean(y_xor * np.log(p) + (1 - y_xor) * np.log(1 - p))
                dz2 = (p - y_xor) / len(X_xor)
                dz1 = (dz2 @ W2.T) * (z1 > 0)
                W2 -= taxa_xor * a1.T @ dz2
                b2 -= taxa_xor * dz2.sum(axis=0)
                W1 -= taxa_xor * X_xor.T @ dz1
                b1 -= taxa_xor * dz1.sum(axis=0)
                perdas_xor = perdas_xor.append(perda)

            print(prever_xor(X_xor))
        """,
        "p5-codigo": """
            def passo_adam(theta, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
                m = beta1 * m + (1 - beta1) * grad
                v = beta2 * v + (1 - beta2) * grad ** 2
                theta = theta - lr * m / (np.sqrt(v) + eps)
                return theta, m, v


            print(passo_adam(np.array([0.5, -1.0]), np.array([0.1, -0.2]), np.zeros(2), np.zeros(2), 1))
        """,
        "p6-resposta": ANSWER_OK,
    }


def example_06() -> dict:
    """Print error in parte 1, callback never passed to fit, XOR weights never updated, vague answer."""
    return {
        "p1-modelo": REFERENCE_FILLS["p1-modelo"],
        "p1-treino": P1_TREINO_CURTO,
        "p1-avaliacao": """
            resultado = modelo.evaluate(x_test, y_test, verbose=0)
            print("Acurácia: " + resultado[1])
        """,
        **PARTE_2_OK,
        "p3-scheduler": REFERENCE_FILLS["p3-scheduler"],
        "p3-treino": """
            callback_lr = keras.callbacks.LearningRateScheduler(scheduler)

            modelo_lr = criar_mlp()
            modelo_lr.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            historico_lr = modelo_lr.fit(x_train[:2000], y_train[:2000], epochs=12, batch_size=64, verbose=0)
            print(historico_lr.history["loss"])
        """,
        "p4-treino": """
            perdas_xor = []

            for epoca in range(epocas_xor):
                z1 = X_xor @ W1 + b1
                a1 = np.maximum(z1, 0)
                p = sigmoide(a1 @ W2 + b2)
                perdas_xor.append(float(-np.mean(y_xor * np.log(p) + (1 - y_xor) * np.log(1 - p))))

                dz2 = (p - y_xor) / 4
                dW2 = a1.T @ dz2
                db2 = dz2.sum(axis=0)
                dz1 = (dz2 @ W2.T) * (z1 > 0)
                dW1 = X_xor.T @ dz1
                db1 = dz1.sum(axis=0)

                W1_novo = W1 - taxa_xor * dW1
                b1_novo = b1 - taxa_xor * db1
                W2_novo = W2 - taxa_xor * dW2
                b2_novo = b2 - taxa_xor * db2


            def prever_xor(X):
                p = sigmoide(np.maximum(X @ W1 + b1, 0) @ W2 + b2)
                return (p[:, 0] > 0.5).astype(int)


            print(perdas_xor[:3], perdas_xor[-3:])
            print(prever_xor(X_xor))
        """,
        "p5-codigo": REFERENCE_FILLS["p5-codigo"],
        "p6-resposta": "Os dois funcionaram bem, mas o Adam foi melhor e convergiu mais rápido nas duas épocas.",
    }


def example_07() -> dict:
    """A wider first layer (256) without the second Dropout; a tensor-returning scheduler."""
    return {
        "p1-modelo": """
            def criar_mlp():
                return keras.Sequential([
                    keras.Input(shape=(784,)),
                    layers.Dense(256, activation="relu"),
                    layers.Dropout(0.2),
                    layers.Dense(64, activation="relu"),
                    layers.Dense(10, activation="softmax"),
                ])


            modelo = criar_mlp()
            modelo.summary()
        """,
        "p1-treino": """
            modelo.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            modelo.fit(x_train, y_train, epochs=3, batch_size=128, verbose=2)
        """,
        "p1-avaliacao": REFERENCE_FILLS["p1-avaliacao"],
        **PARTE_2_OK,
        "p3-scheduler": """
            import tensorflow as tf


            def scheduler(epoch, lr):
                if epoch < 10:
                    return lr
                else:
                    return lr * tf.math.exp(-0.1)
        """,
        "p3-treino": """
            callback = keras.callbacks.LearningRateScheduler(scheduler)
            modelo_lr = criar_mlp()
            modelo_lr.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            historico_lr = modelo_lr.fit(x_train[:2000], y_train[:2000], epochs=12, batch_size=64,
                                         callbacks=[callback], verbose=0)
            print(historico_lr.history["learning_rate"])
        """,
        "p4-treino": REFERENCE_FILLS["p4-treino"],
        "p5-codigo": REFERENCE_FILLS["p5-codigo"],
        "p6-resposta": """
            No Adam cada parâmetro tem a sua taxa de aprendizado, adaptada pela média móvel dos
            gradientes ao quadrado (2º momento); no SGD com momentum a taxa é a mesma para todos.
        """,
    }


EXAMPLES = {
    "01-correta": example_01,
    "02-otimizadores-incompletos": example_02,
    "03-sgd-e-scheduler-atrasado": example_03,
    "04-adam-sem-correcao": example_04,
    "05-template-intocado": dict,  # the template exactly as handed out
    "06-xor-nao-aprende": example_06,
    "07-arquitetura-errada": example_07,
}


def main() -> None:
    write_assignment(TEMPLATE, REFERENCE_FILLS, EXAMPLES, template_file=TEMPLATE_FILE, reference_file=REFERENCE,
                     examples_dir=EXAMPLES_DIR)


if __name__ == "__main__":
    main()
