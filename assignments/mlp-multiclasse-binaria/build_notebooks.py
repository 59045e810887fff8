"""Generate the notebooks of the assignment ``mlp-multiclasse-binaria``.

Writes the notebook students receive (``mlp-multiclasse-binaria.ipynb``), the instructor's
solution (``reference/mlp-multiclasse-binaria.ipynb``) and the sample submissions in
``examples/``. Every notebook is the template with some cells filled in, so they share
cell ids the way a student's copy shares them with the file they downloaded.

The reference trains as the course asks (up to 50 epochs, early stopping with patience 3:
about 15 + 10 epochs, under a minute on one thread). The examples train 1 to 5 epochs, or
on a slice of the training set, so that grading all of them stays around two minutes.

Run ``python assignments/mlp-multiclasse-binaria/build_notebooks.py`` after editing this
file; the notebooks are written without outputs. Expected grades of the examples live, by
hand, in ``examples/expected.toml``.
"""

from __future__ import annotations

from pathlib import Path

from grader.authoring import CellSpec, code, md, write_assignment

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[1] / "reference" / "mlp-multiclasse-binaria.ipynb"
TEMPLATE_FILE = HERE / "mlp-multiclasse-binaria.ipynb"
EXAMPLES_DIR = HERE / "examples"

PLACEHOLDER_CODE = "# Seu código aqui"
PLACEHOLDER_ANSWER = "**Sua resposta aqui:**"


# ---------------------------------------------------------------------------- template
TEMPLATE: tuple[CellSpec, ...] = (
    md("intro", """
        # Desafio 1: redes neuronais clássicas para classificação de mini-imagens

        Neste desafio vamos treinar redes neurais totalmente conectadas (MLPs) para
        classificar as mini-imagens do **Fashion-MNIST** (28×28 pixels, em tons de cinza) de
        duas formas, e comparar os resultados:

        1. **Parte 1:** classificação **multiclasse**, nas 10 classes do conjunto;
        2. **Parte 2:** classificação **binária**, separando **Vestuário** de
           **Calçado/Malas**;
        3. **Parte 3:** a matriz de confusão do modelo multiclasse, *binarizada* nos mesmos
           dois grupos, comparada com o modelo binário.

        **Como entregar**

        - Preencha as células marcadas com `# Seu código aqui` (você pode criar novas células
          dentro de cada parte) e a célula marcada com **Sua resposta aqui:**.
        - Guarde os resultados da Parte 3 nas variáveis indicadas no enunciado (elas começam
          valendo `None`): a correção automática lê essas variáveis.
        - Não altere os títulos das partes (`## Parte ...`): a correção usa esses títulos para
          encontrar o seu código e as suas respostas.
        - A correção avalia **ela mesma** os seus modelos treinados no conjunto de teste
          (acurácia e matriz de confusão): os valores impressos no notebook não contam.
        - Antes de entregar, reinicie o kernel e execute o notebook inteiro
          (*Kernel → Restart & Run All*) para ter certeza de que tudo roda sem erros.
    """),
    code("imports", """
        import numpy as np
        import keras
        from keras import layers

        print("Keras", keras.__version__)
    """),
    md("dados-texto", """
        ## Os dados: Fashion-MNIST

        O Fashion-MNIST tem 70.000 imagens de 28×28 pixels de 10 tipos de roupas, calçados e
        bolsas: 60.000 para treino e 10.000 para teste. Na Parte 2 as 10 classes são
        agrupadas em duas:

        | Rótulo | Classe | Grupo (Parte 2) |
        | --- | --- | --- |
        | 0 | T-shirt/top (camiseta) | Vestuário |
        | 1 | Trouser (calça) | Vestuário |
        | 2 | Pullover (pulôver) | Vestuário |
        | 3 | Dress (vestido) | Vestuário |
        | 4 | Coat (casaco) | Vestuário |
        | 5 | Sandal (sandália) | Calçado/Malas |
        | 6 | Shirt (camisa) | Vestuário |
        | 7 | Sneaker (tênis) | Calçado/Malas |
        | 8 | Bag (bolsa) | Calçado/Malas |
        | 9 | Ankle boot (bota) | Calçado/Malas |

        A célula abaixo carrega os dados, normaliza os pixels para o intervalo [0, 1] e separa
        as **últimas 10.000 imagens do treino** como conjunto de **validação**, usado durante
        o treino (pelos *callbacks*). O conjunto de teste fica guardado para a avaliação
        final.
    """),
    code("dados-carregar", """
        (x_treino_completo, y_treino_completo), (x_teste, y_teste) = keras.datasets.fashion_mnist.load_data()

        # Pixels de 0-255 para 0-1.
        x_treino_completo = x_treino_completo.astype("float32") / 255.0
        x_teste = x_teste.astype("float32") / 255.0

        # Validação: as últimas 10.000 imagens do conjunto de treino.
        x_treino, x_val = x_treino_completo[:-10000], x_treino_completo[-10000:]
        y_treino, y_val = y_treino_completo[:-10000], y_treino_completo[-10000:]

        print("Treino:", x_treino.shape, "Validação:", x_val.shape, "Teste:", x_teste.shape)
    """),
    code("dados-classes", """
        nomes_classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

        VESTUARIO = [0, 1, 2, 3, 4, 6]   # classe positiva (rótulo 1) na Parte 2
        CALCADO_MALAS = [5, 7, 8, 9]     # classe negativa (rótulo 0) na Parte 2

        print("Vestuário:", [nomes_classes[c] for c in VESTUARIO])
        print("Calçado/Malas:", [nomes_classes[c] for c in CALCADO_MALAS])
    """),
    md("p1-texto", """
        ## Parte 1: classificação multiclasse (10 classes)

        Construa e treine uma MLP que classifica as imagens nas 10 classes:

        | Camada | Configuração |
        | --- | --- |
        | `Flatten` | entrada 28×28 → vetor de 784 valores |
        | `Dense` | 128 neurônios, ativação `relu` |
        | `Dropout` | taxa 0,2 |
        | `Dense` | 10 neurônios, ativação `softmax` |

        1. Converta os rótulos de treino, validação e teste para **one-hot** com
           `keras.utils.to_categorical`.
        2. Construa o modelo e mostre o resumo (`summary()`): ele deve ter **101.770
           parâmetros**.
        3. Compile com o otimizador **Adam** (taxa de aprendizado 0,001), a perda **entropia
           cruzada categórica** (`categorical_crossentropy`) e as métricas acurácia, precisão
           e revocação (`"accuracy"`, `keras.metrics.Precision()`,
           `keras.metrics.Recall()`). Em Keras 3, passe os argumentos do `compile` pelo nome.
        4. Crie dois *callbacks*:
           - `keras.callbacks.ModelCheckpoint`, que salva em um arquivo `.keras` o melhor
             modelo segundo a perda na validação (`monitor="val_loss"`,
             `save_best_only=True`);
           - `keras.callbacks.EarlyStopping`, que interrompe o treino quando a perda na
             validação (`monitor="val_loss"`) não melhora por 3 épocas seguidas
             (`patience=3`) e volta aos melhores pesos (`restore_best_weights=True`).
        5. Treine com lotes de 64 imagens (`batch_size=64`), por até 50 épocas, com o
           conjunto de validação (`validation_data`) e os dois *callbacks*.
        6. Avalie o modelo no conjunto de teste.

        A correção avalia o seu modelo treinado nas 10.000 imagens de teste: procure chegar a
        pelo menos **85%** de acurácia.
    """),
    code("p1-rotulos", f"{PLACEHOLDER_CODE}: converta os rótulos para one-hot"),
    code("p1-modelo", f"{PLACEHOLDER_CODE}: construa o modelo e mostre o resumo"),
    code("p1-treino", f"{PLACEHOLDER_CODE}: compile, crie os callbacks e treine o modelo"),
    code("p1-avaliacao", f"{PLACEHOLDER_CODE}: avalie o modelo no conjunto de teste"),
    md("p2-texto", """
        ## Parte 2: classificação binária (Vestuário × Calçado/Malas)

        Agora o problema tem só duas classes:

        - **Vestuário** (rótulo **1**, a classe positiva): as classes 0, 1, 2, 3, 4 e 6
          (`VESTUARIO`);
        - **Calçado/Malas** (rótulo **0**): as classes 5, 7, 8 e 9 (`CALCADO_MALAS`).

        1. Crie os rótulos binários (0 ou 1) de treino, validação e teste a partir dos rótulos
           originais (dica: `np.isin`).
        2. Construa a mesma rede da Parte 1, mas com a saída trocada por **1 neurônio** com
           ativação `sigmoid`: ela deve ter **100.609 parâmetros**.
        3. Compile com **Adam** (taxa de aprendizado 0,001), a perda **entropia cruzada
           binária** (`binary_crossentropy`) e as métricas acurácia, precisão e revocação.
        4. Treine como na Parte 1: lotes de 64, até 50 épocas, validação, `ModelCheckpoint` e
           `EarlyStopping`.
        5. Avalie o modelo no conjunto de teste.

        A correção avalia o seu modelo nas 10.000 imagens de teste, com os rótulos binários
        (saída ≥ 0,5 → Vestuário): procure chegar a pelo menos **98%** de acurácia.
    """),
    code("p2-rotulos", f"{PLACEHOLDER_CODE}: crie os rótulos binários"),
    code("p2-modelo", f"{PLACEHOLDER_CODE}: construa o modelo binário e mostre o resumo"),
    code("p2-treino", f"{PLACEHOLDER_CODE}: compile, crie os callbacks e treine o modelo"),
    code("p2-avaliacao", f"{PLACEHOLDER_CODE}: avalie o modelo no conjunto de teste"),
    md("p3-texto", """
        ## Parte 3: modelo multiclasse binarizado × modelo binário

        O modelo da Parte 1 também responde à pergunta da Parte 2: basta juntar as suas
        previsões em dois grupos. Uma camisa classificada como camiseta continua sendo
        Vestuário; só as confusões **entre** os grupos viram erros binários.

        1. Calcule a **matriz de confusão** 10×10 do modelo da **Parte 1** nas 10.000 imagens
           de teste e guarde-a em `matriz_confusao`: um array NumPy de inteiros em que a
           linha é a classe **verdadeira** e a coluna a classe **prevista** (dica: `np.argmax`
           das previsões e `np.add.at`, ou um laço).
        2. **Binarize** a matriz, com Vestuário como classe positiva, somando os blocos:
           - `TN`: verdadeiro Calçado/Malas, previsto Calçado/Malas;
           - `FP`: verdadeiro Calçado/Malas, previsto Vestuário;
           - `FN`: verdadeiro Vestuário, previsto Calçado/Malas;
           - `TP`: verdadeiro Vestuário, previsto Vestuário.

           Guarde os quatro números (inteiros) em `TN`, `FP`, `FN` e `TP`: eles somam
           10.000.
        3. Calcule a acurácia binária do modelo multiclasse binarizado, (TP + TN) / 10.000, e
           compare-a com a do modelo binário da Parte 2 (acurácia e número de erros,
           FP + FN).
    """),
    code("p3-matriz", f"""
        {PLACEHOLDER_CODE}: matriz de confusão do modelo da Parte 1 no conjunto de teste

        matriz_confusao = None
    """),
    code("p3-binarizacao", f"""
        {PLACEHOLDER_CODE}: binarize a matriz (Vestuário = classe positiva)

        TN = None
        FP = None
        FN = None
        TP = None
    """),
    code("p3-comparacao", f"{PLACEHOLDER_CODE}: compare os dois modelos (acurácia e erros FP + FN)"),
    md("p3-pergunta", """
        **Pergunta.** Compare o modelo multiclasse binarizado com o modelo binário da Parte 2:
        qual errou menos ao separar Vestuário de Calçado/Malas (acurácia, FP + FN)? A diferença
        é grande? O que isso mostra sobre os erros do modelo multiclasse?
    """),
    md("p3-resposta", PLACEHOLDER_ANSWER, "resposta:p3"),
)


# ---------------------------------------------------------------------------- reference
REFERENCE_FILLS = {
    "p1-rotulos": """
        y_treino_onehot = keras.utils.to_categorical(y_treino, num_classes=10)
        y_val_onehot = keras.utils.to_categorical(y_val, num_classes=10)
        y_teste_onehot = keras.utils.to_categorical(y_teste, num_classes=10)

        print("Rótulo", y_treino[0], "->", y_treino_onehot[0])
    """,
    "p1-modelo": """
        modelo_multiclasse = keras.Sequential([
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ], name="mlp_multiclasse")
        modelo_multiclasse.summary()
    """,
    "p1-treino": """
        modelo_multiclasse.compile(
            optimizer=keras.optimizers.Adam(learning_rate=0.001),
            loss="categorical_crossentropy",
            metrics=["accuracy", keras.metrics.Precision(name="precisao"), keras.metrics.Recall(name="revocacao")],
        )
        callbacks_multiclasse = [
            keras.callbacks.ModelCheckpoint("melhor_multiclasse.keras", monitor="val_loss", save_best_only=True),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
        ]
        historico_multiclasse = modelo_multiclasse.fit(
            x_treino, y_treino_onehot,
            batch_size=64,
            epochs=50,
            validation_data=(x_val, y_val_onehot),
            callbacks=callbacks_multiclasse,
            verbose=2,
        )
        print("Épocas treinadas:", len(historico_multiclasse.history["loss"]))
    """,
    "p1-avaliacao": """
        resultado_multiclasse = modelo_multiclasse.evaluate(x_teste, y_teste_onehot, verbose=0, return_dict=True)
        for nome, valor in resultado_multiclasse.items():
            print(f"{nome}: {valor:.4f}")
    """,
    "p2-rotulos": """
        y_treino_bin = np.isin(y_treino, VESTUARIO).astype("float32")
        y_val_bin = np.isin(y_val, VESTUARIO).astype("float32")
        y_teste_bin = np.isin(y_teste, VESTUARIO).astype("float32")

        print("Fração de Vestuário no treino:", round(float(y_treino_bin.mean()), 3))
    """,
    "p2-modelo": """
        modelo_binario = keras.Sequential([
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ], name="mlp_binaria")
        modelo_binario.summary()
    """,
    "p2-treino": """
        modelo_binario.compile(
            optimizer=keras.optimizers.Adam(learning_rate=0.001),
            loss="binary_crossentropy",
            metrics=["accuracy", keras.metrics.Precision(name="precisao"), keras.metrics.Recall(name="revocacao")],
        )
        callbacks_binario = [
            keras.callbacks.ModelCheckpoint("melhor_binario.keras", monitor="val_loss", save_best_only=True),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
        ]
        historico_binario = modelo_binario.fit(
            x_treino, y_treino_bin,
            batch_size=64,
            epochs=50,
            validation_data=(x_val, y_val_bin),
            callbacks=callbacks_binario,
            verbose=2,
        )
        print("Épocas treinadas:", len(historico_binario.history["loss"]))
    """,
    "p2-avaliacao": """
        resultado_binario = modelo_binario.evaluate(x_teste, y_teste_bin, verbose=0, return_dict=True)
        for nome, valor in resultado_binario.items():
            print(f"{nome}: {valor:.4f}")
    """,
    "p3-matriz": """
        previsto = np.argmax(modelo_multiclasse.predict(x_teste, verbose=0), axis=1)

        matriz_confusao = np.zeros((10, 10), dtype=int)
        np.add.at(matriz_confusao, (y_teste, previsto), 1)   # linha: verdadeira, coluna: prevista

        print(matriz_confusao)
        print("Acurácia nas 10 classes:", np.trace(matriz_confusao) / matriz_confusao.sum())
    """,
    "p3-binarizacao": """
        def soma_bloco(verdadeiras, previstas):
            return int(matriz_confusao[np.ix_(verdadeiras, previstas)].sum())


        TN = soma_bloco(CALCADO_MALAS, CALCADO_MALAS)
        FP = soma_bloco(CALCADO_MALAS, VESTUARIO)
        FN = soma_bloco(VESTUARIO, CALCADO_MALAS)
        TP = soma_bloco(VESTUARIO, VESTUARIO)

        print(f"TN = {TN}, FP = {FP}, FN = {FN}, TP = {TP}, soma = {TN + FP + FN + TP}")
    """,
    "p3-comparacao": """
        acuracia_binarizada = (TP + TN) / (TN + FP + FN + TP)

        previsto_bin = (modelo_binario.predict(x_teste, verbose=0)[:, 0] >= 0.5).astype(int)
        verdadeiro_bin = y_teste_bin.astype(int)
        erros_fp = int(np.sum((verdadeiro_bin == 0) & (previsto_bin == 1)))
        erros_fn = int(np.sum((verdadeiro_bin == 1) & (previsto_bin == 0)))
        acuracia_modelo_binario = float(np.mean(previsto_bin == verdadeiro_bin))

        print(f"Multiclasse binarizado: FP = {FP}, FN = {FN}, erros = {FP + FN}, acurácia = {acuracia_binarizada:.4f}")
        print(f"Modelo binário:         FP = {erros_fp}, FN = {erros_fn}, erros = {erros_fp + erros_fn}, "
              f"acurácia = {acuracia_modelo_binario:.4f}")
    """,
    "p3-resposta": """
        **Resposta:** os dois modelos ficam praticamente empatados. Nas minhas execuções o
        multiclasse binarizado e o binário erraram cada um de 60 a 70 das 10.000 imagens de
        teste (FP + FN), uma acurácia binária de 99,3% a 99,4% para os dois: a diferença é de
        poucas imagens, ora para um lado, ora para o outro.

        Isso mostra que, apesar de o modelo multiclasse acertar só uns 88% nas 10 classes,
        quase todos os seus erros são confusões **dentro do mesmo grupo** (camisa × camiseta ×
        pulôver × casaco, tênis × sandália × bota), que a binarização não conta como erro.
        As confusões entre Vestuário e Calçado/Malas são raras: as imagens dos dois grupos
        são muito diferentes, por isso um modelo só para as duas classes não ganha quase nada.
    """,
}


# ---------------------------------------------------------------------------- shared pieces of examples
# One-hot labels and binary labels as the handout asks (examples 02-07 reuse them).
ONEHOT = """
    y_treino_onehot = keras.utils.to_categorical(y_treino, 10)
    y_val_onehot = keras.utils.to_categorical(y_val, 10)
    y_teste_onehot = keras.utils.to_categorical(y_teste, 10)
"""

BINARY_LABELS = """
    y_treino_bin = np.isin(y_treino, VESTUARIO).astype(int)
    y_val_bin = np.isin(y_val, VESTUARIO).astype(int)
    y_teste_bin = np.isin(y_teste, VESTUARIO).astype(int)
"""

MLP = """
    {name} = keras.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense({units}, activation="relu"),{dropout}
        layers.Dense({outputs}, activation="{activation}"),
    ])
    {name}.summary()
"""


def mlp(name: str, outputs: int, activation: str, *, units: int = 128, dropout: bool = True) -> str:
    """A Sequential MLP as the handout draws it (Flatten with input_shape, as in class)."""
    drop = "\n        layers.Dropout(0.2)," if dropout else ""
    return MLP.format(name=name, units=units, dropout=drop, outputs=outputs, activation=activation)


def training(name: str, labels: str, val_labels: str, loss: str, *, epochs: int, images: int | None = None,
             optimizer: str = "keras.optimizers.Adam(learning_rate=0.001)", checkpoint: str = "melhor.keras",
             early_stopping: str = 'monitor="val_loss", patience=3, restore_best_weights=True',
             metrics: str = '"accuracy", keras.metrics.Precision(), keras.metrics.Recall()',
             note: str = "") -> str:
    """compile + callbacks + fit, trained briefly (``epochs``, optionally a slice of ``images``)."""
    part = f"[:{images}]" if images else ""
    note = f"\n        {note}" if note else ""
    return f"""
        {name}.compile(
            optimizer={optimizer},
            loss="{loss}",
            metrics=[{metrics}],
        )
        checkpoint = keras.callbacks.ModelCheckpoint("{checkpoint}", monitor="val_loss", save_best_only=True)
        parada = keras.callbacks.EarlyStopping({early_stopping}){note}
        historico = {name}.fit(
            x_treino{part}, {labels}{part},
            batch_size=64,
            epochs={epochs},
            validation_data=(x_val, {val_labels}),
            callbacks=[checkpoint, parada],
            verbose=2,
        )
    """


def evaluation(name: str, labels: str) -> str:
    return f"""
        perda, acuracia, precisao, revocacao = {name}.evaluate(x_teste, {labels}, verbose=0)
        print(f"Acurácia no teste: {{acuracia:.4f}} | precisão: {{precisao:.4f}} | revocação: {{revocacao:.4f}}")
    """


def confusion(name: str) -> str:
    return f"""
        previsoes = {name}.predict(x_teste, verbose=0).argmax(axis=1)
        matriz_confusao = np.zeros((10, 10), dtype=int)
        for verdadeira, prevista in zip(y_teste, previsoes):
            matriz_confusao[verdadeira, prevista] += 1
        print(matriz_confusao)
    """


BINARIZATION = """
    TN = int(matriz_confusao[CALCADO_MALAS][:, CALCADO_MALAS].sum())
    FP = int(matriz_confusao[CALCADO_MALAS][:, VESTUARIO].sum())
    FN = int(matriz_confusao[VESTUARIO][:, CALCADO_MALAS].sum())
    TP = int(matriz_confusao[VESTUARIO][:, VESTUARIO].sum())
    print(TN, FP, FN, TP, TN + FP + FN + TP)
"""


def comparison(binary_model: str) -> str:
    return f"""
        prev_bin = ({binary_model}.predict(x_teste, verbose=0).ravel() >= 0.5).astype(int)
        erros_binario = int(np.sum(prev_bin != y_teste_bin))
        print("Multiclasse binarizado:", FP + FN, "erros, acurácia", (TP + TN) / 10000)
        print("Modelo binário:", erros_binario, "erros, acurácia", 1 - erros_binario / 10000)
    """


ANSWER_OK = """
    Os resultados foram bem parecidos: o multiclasse binarizado errou quase o mesmo número
    de imagens que o modelo binário (FP + FN da ordem de 70 em 10.000, acurácia de uns 99%
    nos dois). Os erros do modelo multiclasse são quase todos entre classes do mesmo grupo,
    como camisa e camiseta ou tênis e sandália, que não contam na versão binária.
"""


def example_parts(*, multi: str, binary: str, p1_epochs: int = 4, p2_epochs: int = 2) -> dict:
    """Every cell done as the handout asks, trained briefly; examples change some cells."""
    return {
        "p1-rotulos": ONEHOT,
        "p1-modelo": mlp(multi, 10, "softmax"),
        "p1-treino": training(multi, "y_treino_onehot", "y_val_onehot", "categorical_crossentropy",
                              epochs=p1_epochs, checkpoint="multiclasse.keras",
                              note=f"# Só {p1_epochs} épocas: com 50 o notebook demorava demais."),
        "p1-avaliacao": evaluation(multi, "y_teste_onehot"),
        "p2-rotulos": BINARY_LABELS,
        "p2-modelo": mlp(binary, 1, "sigmoid"),
        "p2-treino": training(binary, "y_treino_bin", "y_val_bin", "binary_crossentropy",
                              epochs=p2_epochs, checkpoint="binario.keras"),
        "p2-avaliacao": evaluation(binary, "y_teste_bin"),
        "p3-matriz": confusion(multi),
        "p3-binarizacao": BINARIZATION,
        "p3-comparacao": comparison(binary),
        "p3-resposta": ANSWER_OK,
    }


# ---------------------------------------------------------------------------- examples
def example_01() -> dict:
    """Everything right in another style: functional API built by a function, callbacks inline."""
    return {
        "p1-rotulos": """
            from keras.utils import to_categorical

            Y_treino = to_categorical(y_treino)
            Y_val = to_categorical(y_val)
            Y_teste = to_categorical(y_teste)
            print(Y_treino.shape, Y_val.shape, Y_teste.shape)
        """,
        "p1-modelo": """
            def criar_mlp(n_saidas, ativacao_saida, nome):
                entrada = keras.Input(shape=(28, 28), name="imagem")
                x = layers.Flatten()(entrada)
                x = layers.Dense(128, activation="relu")(x)
                x = layers.Dropout(rate=0.2)(x)
                saida = layers.Dense(n_saidas, activation=ativacao_saida)(x)
                return keras.Model(inputs=entrada, outputs=saida, name=nome)


            rede10 = criar_mlp(10, "softmax", "rede_10_classes")
            rede10.summary()
            print("Parâmetros:", rede10.count_params())
        """,
        "p1-treino": """
            rede10.compile(
                optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                loss=keras.losses.CategoricalCrossentropy(),
                metrics=[keras.metrics.CategoricalAccuracy(name="acc"), keras.metrics.Precision(), keras.metrics.Recall()],
            )
            # Treinei só 5 épocas aqui (com 50 e paciência 3 ele para sozinho, mas demora mais).
            hist10 = rede10.fit(
                x_treino, Y_treino, batch_size=64, epochs=5, validation_data=(x_val, Y_val),
                callbacks=[
                    keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(filepath="rede10.keras", save_best_only=True),
                ],
                verbose=2,
            )
        """,
        "p1-avaliacao": """
            print(rede10.evaluate(x_teste, Y_teste, verbose=0, return_dict=True))
        """,
        "p2-rotulos": """
            rot_treino = np.where(np.isin(y_treino, VESTUARIO), 1, 0)
            rot_val = np.where(np.isin(y_val, VESTUARIO), 1, 0)
            rot_teste = np.where(np.isin(y_teste, VESTUARIO), 1, 0)
            print("Vestuário no teste:", rot_teste.sum(), "de", len(rot_teste))
        """,
        "p2-modelo": """
            rede2 = criar_mlp(1, "sigmoid", "rede_binaria")
            rede2.summary()
        """,
        "p2-treino": """
            rede2.compile(
                optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                loss=keras.losses.BinaryCrossentropy(),
                metrics=["accuracy", keras.metrics.Precision(), keras.metrics.Recall()],
            )
            hist2 = rede2.fit(
                x_treino, rot_treino, batch_size=64, epochs=2, validation_data=(x_val, rot_val),
                callbacks=[
                    keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint("rede2.keras", monitor="val_loss", save_best_only=True),
                ],
                verbose=2,
            )
        """,
        "p2-avaliacao": """
            print(rede2.evaluate(x_teste, rot_teste, verbose=0, return_dict=True))
        """,
        "p3-matriz": """
            classe_prevista = np.argmax(rede10.predict(x_teste, batch_size=256, verbose=0), axis=-1)
            matriz_confusao = np.array([[np.sum((y_teste == i) & (classe_prevista == j)) for j in range(10)]
                                        for i in range(10)])
            print(matriz_confusao)
        """,
        "p3-binarizacao": """
            TN = FP = FN = TP = 0
            for i in range(10):
                for j in range(10):
                    n = int(matriz_confusao[i, j])
                    verdadeiro_vest, previsto_vest = i in VESTUARIO, j in VESTUARIO
                    if verdadeiro_vest and previsto_vest:
                        TP += n
                    elif verdadeiro_vest:
                        FN += n
                    elif previsto_vest:
                        FP += n
                    else:
                        TN += n
            print(f"{TN=} {FP=} {FN=} {TP=}")
        """,
        "p3-comparacao": """
            prob = rede2.predict(x_teste, verbose=0)[:, 0]
            erros_bin = int(((prob >= 0.5).astype(int) != rot_teste).sum())
            print(f"multiclasse binarizado: {FP + FN} erros ({(TP + TN) / 100:.2f}%)")
            print(f"binário: {erros_bin} erros ({100 - erros_bin / 100:.2f}%)")
        """,
        "p3-resposta": """
            **Sua resposta aqui:** a diferença é pequena: os dois acertam mais de 99% e erram
            só algumas dezenas de imagens (somando FP e FN), o binário um pouco menos. O
            multiclasse confunde muito camisa, camiseta, pulôver e casaco entre si, mas esses
            erros ficam dentro do grupo Vestuário e somem quando a matriz é binarizada.
        """,
    }


def example_02() -> dict:
    """Both networks with 256 neurons and no Dropout; the rest right."""
    parts = example_parts(multi="modelo", binary="modelo_bin", p1_epochs=3)
    parts["p1-modelo"] = mlp("modelo", 10, "softmax", units=256, dropout=False)
    parts["p2-modelo"] = mlp("modelo_bin", 1, "sigmoid", units=256, dropout=False)
    return parts


def example_03() -> dict:
    """EarlyStopping watches the training loss; the answer overstates the difference."""
    parts = example_parts(multi="mlp", binary="mlp_binaria")
    parts["p1-treino"] = training(
        "mlp", "y_treino_onehot", "y_val_onehot", "categorical_crossentropy", epochs=4,
        checkpoint="mlp.keras", early_stopping='monitor="loss", patience=3, restore_best_weights=True',
        note="# Paro quando a perda de treino parar de cair.",
    )
    parts["p3-resposta"] = """
        O modelo binário é muito melhor: errou bem menos imagens que o multiclasse
        binarizado, que confunde muito camisa com camiseta.
    """
    return parts


def example_04() -> dict:
    """Trained on slices to save time (low accuracies) and the answer left blank."""
    parts = example_parts(multi="modelo_multi", binary="modelo_binario")
    parts["p1-treino"] = training(
        "modelo_multi", "y_treino_onehot", "y_val_onehot", "categorical_crossentropy", epochs=2,
        images=15000, checkpoint="multi.keras", note="# Para ir mais rápido: 2 épocas com 15.000 imagens.",
    )
    parts["p2-treino"] = training(
        "modelo_binario", "y_treino_bin", "y_val_bin", "binary_crossentropy", epochs=1,
        images=500, checkpoint="bin.keras", note="# O binário é mais fácil: 500 imagens bastam.",
    )
    del parts["p3-resposta"]  # left as handed out
    return parts


def example_06() -> dict:
    """Binary model with learning rate 0.01 and a formatting error; groups taken as slices; a vague answer."""
    parts = example_parts(multi="multiclasse", binary="binario")
    parts["p2-treino"] = training(
        "binario", "y_treino_bin", "y_val_bin", "binary_crossentropy", epochs=2,
        optimizer="keras.optimizers.Adam(learning_rate=0.01)", checkpoint="binario.keras",
        note="# Taxa de aprendizado 10 vezes maior, para convergir em poucas épocas.",
    )
    parts["p2-avaliacao"] = """
        resultado = binario.evaluate(x_teste, y_teste_bin, verbose=0)
        print(f"Resultado no teste: {resultado:.4f}")
    """
    parts["p3-binarizacao"] = """
        # Vestuário = as 5 primeiras classes, Calçado/Malas = as 5 últimas
        TP = int(matriz_confusao[:5, :5].sum())
        FN = int(matriz_confusao[:5, 5:].sum())
        FP = int(matriz_confusao[5:, :5].sum())
        TN = int(matriz_confusao[5:, 5:].sum())
        print(TN, FP, FN, TP, TN + FP + FN + TP)
    """
    parts["p3-resposta"] = """
        Os dois modelos funcionaram bem e cada um tem as suas vantagens, depende do que se
        quer fazer com eles.
    """
    return parts


def example_07() -> dict:
    """SGD (plain, then with momentum) and integer labels with the sparse loss; NameErrors in parts 1 and 3."""
    parts = example_parts(multi="rede", binary="rede_bin")
    parts["p1-rotulos"] = """
        # Os rótulos já são números de 0 a 9: uso a perda "sparse" e não preciso de one-hot.
        print(y_treino[:10])
    """
    parts["p1-treino"] = training(
        "rede", "y_treino", "y_val", "sparse_categorical_crossentropy", epochs=1,
        optimizer='"sgd"', metrics='"accuracy"', checkpoint="rede.keras",
        note="# 1 época só para testar se está tudo funcionando.",
    )
    parts["p1-avaliacao"] = """
        perda, acuracia = rede.evaluate(x_teste, y_teste_onehot, verbose=0)
        print("Acurácia:", acuracia)
    """
    parts["p2-treino"] = training(
        "rede_bin", "y_treino_bin", "y_val_bin", "binary_crossentropy", epochs=2,
        optimizer="keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)", checkpoint="rede_bin.keras",
        note="# Na Parte 1 o SGD aprendeu devagar: agora com momentum.",
    )
    parts["p3-binarizacao"] = (
        BINARIZATION,
        """
        plt.imshow(matriz_confusao, cmap="Blues")
        plt.colorbar()
        plt.show()
        """,
    )
    return parts


EXAMPLES = {
    "01-correta": example_01,
    "02-sem-dropout-256-neuronios": example_02,
    "03-early-stopping-na-perda-de-treino": example_03,
    "04-treino-em-fatias": example_04,
    "05-template-intocado": dict,  # the template exactly as handed out
    "06-grupos-por-fatias": example_06,
    "07-sgd-e-erros": example_07,
}


def main() -> None:
    write_assignment(TEMPLATE, REFERENCE_FILLS, EXAMPLES, template_file=TEMPLATE_FILE, reference_file=REFERENCE,
                     examples_dir=EXAMPLES_DIR)


if __name__ == "__main__":
    main()
