"""Generate the notebooks of the assignment ``cnn-pratica``.

Writes the notebook students receive (``cnn-pratica.ipynb``), the instructor's solution
(``reference/cnn-pratica.ipynb``) and the sample submissions in ``examples/``. Every
notebook is the template with some cells filled in, so they share cell ids the way a
student's copy shares them with the file they downloaded.

Run ``python assignments/cnn-pratica/build_notebooks.py`` after editing this file; the
notebooks are written without outputs. Expected grades of the examples live, by hand, in
``examples/expected.toml``.
"""

from __future__ import annotations

from pathlib import Path

from grader.authoring import CellSpec, code, md, write_assignment

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[1] / "reference" / "cnn-pratica.ipynb"
TEMPLATE_FILE = HERE / "cnn-pratica.ipynb"
EXAMPLES_DIR = HERE / "examples"

PLACEHOLDER_CODE = "# Seu código aqui"
PLACEHOLDER_ANSWER = "**Sua resposta aqui:**"


# ---------------------------------------------------------------------------- template
TEMPLATE: tuple[CellSpec, ...] = (
    md("intro", """
        # CNN prática

        Nesta aula prática vamos comparar o número de parâmetros de uma rede totalmente
        conectada (MLP) com o de uma rede convolucional (CNN), observar o efeito do *pooling*
        no formato das saídas e treinar a clássica **LeNet-5** no conjunto de dados
        Fashion-MNIST.

        **Como entregar**

        - Preencha as células marcadas com `# Seu código aqui` (você pode criar novas células
          dentro de cada seção) e as células marcadas com **Sua resposta aqui:**.
        - Não altere os títulos das seções (`## Desafio ...`): a correção automática usa esses
          títulos para encontrar o seu código e as suas respostas.
        - Antes de entregar, reinicie o kernel e execute o notebook inteiro
          (*Kernel → Restart & Run All*) para ter certeza de que tudo roda sem erros.
    """),
    code("imports", """
        import numpy as np
        import keras
        from keras import layers

        print("Keras", keras.__version__)
    """),
    md("mlp-texto", """
        ## MLP em uma imagem 400×600

        Imagine uma imagem em tons de cinza com 400 linhas e 600 colunas. Para usá-la em uma
        MLP, primeiro "achatamos" a imagem (`Flatten`) em um vetor com um valor por pixel e
        depois ligamos esse vetor a uma camada densa (`Dense`) com 100 neurônios. Cada neurônio
        da camada densa tem **um peso para cada pixel**, mais um *bias*.

        Execute a célula abaixo e observe no resumo (`summary()`) quantos parâmetros essa
        única camada tem.
    """),
    code("mlp-codigo", """
        mlp_cinza = keras.Sequential([
            layers.Flatten(input_shape=(400, 600)),
            layers.Dense(100),
        ])
        mlp_cinza.summary()
    """),
    md("conv-texto", """
        ## Convolução 2D

        Uma camada convolucional (`Conv2D`) aprende **filtros** pequenos (aqui, de 3×3) que
        deslizam sobre a imagem. Cada filtro olha apenas uma vizinhança local de 3×3 pixels,
        em todos os canais da entrada, e **o mesmo filtro é reaplicado em todas as posições
        da imagem**.

        Para uma imagem colorida de 400×600 pixels com 3 canais (RGB), cada filtro tem 3×3×3
        pesos, mais um *bias*. Execute a célula abaixo e observe no resumo o formato da saída
        e o número de parâmetros de uma camada com 100 filtros. Sem *padding*, a saída perde
        uma linha e uma coluna em cada borda.
    """),
    code("conv-codigo", """
        conv_rgb = keras.Sequential([
            layers.Conv2D(100, (3, 3), input_shape=(400, 600, 3)),
        ])
        conv_rgb.summary()
    """),
    md("d1-texto", """
        ## Desafio 1: análise de parâmetros (CNN vs MLP)

        Considere agora uma imagem **colorida** de 400×600 pixels com 3 canais
        (`altura, largura, canais = 400, 600, 3`).

        1. Construa uma MLP que achata a imagem colorida (`Flatten`) e a liga a uma camada
           `Dense` com 100 neurônios.
        2. Construa uma CNN com uma única camada `Conv2D` com 100 filtros 3×3 sobre a imagem
           de 3 canais.
        3. Compare o número de parâmetros dos dois modelos (dica: `model.count_params()` ou
           `model.summary()`).
        4. Na célula de resposta, diga quantos parâmetros tem cada modelo e **explique** por
           que a diferença é tão grande.
    """),
    code("d1-codigo", f"""
        altura, largura, canais = 400, 600, 3

        {PLACEHOLDER_CODE}
    """),
    md("d1-resposta", PLACEHOLDER_ANSWER, "resposta:d1"),
    md("pool-texto", """
        ## Pooling

        Camadas de *pooling* reduzem a altura e a largura dos mapas de características.
        `MaxPool2D(pool_size=2, strides=2)` divide cada mapa em janelas de 2×2 sem
        sobreposição e guarda apenas o **maior** valor de cada janela: a altura e a largura
        caem pela metade, e o número de canais não muda. `AveragePooling2D` faz o mesmo com a
        **média** de cada janela.

        Com isso a rede fica mais leve nas camadas seguintes e um pouco mais tolerante a
        pequenos deslocamentos do objeto na imagem. Veja o efeito em uma matriz 4×4:
    """),
    code("pool-codigo", """
        pool = layers.MaxPool2D(pool_size=2, strides=2)

        x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)  # (lote, altura, largura, canais)
        print("Entrada:")
        print(x[0, :, :, 0])
        print("Saída do max pooling:")
        print(keras.ops.convert_to_numpy(pool(x))[0, :, :, 0])
    """),
    md("d2-texto", """
        ## Desafio 2: formato e parâmetros com pooling

        1. Construa um modelo com uma camada `Conv2D` de 100 filtros 3×3 sobre uma entrada
           de 400×600×3, seguida de `MaxPool2D(pool_size=2, strides=2)`.
        2. Mostre o formato da saída **antes** e **depois** do pooling (dica: `summary()`, ou
           `camada.output.shape` para cada camada em `modelo.layers`).
        3. Compare o número total de parâmetros com o do modelo que tem só a convolução
           (Desafio 1) e responda às perguntas abaixo.
    """),
    code("d2-codigo", PLACEHOLDER_CODE),
    md("d2-pergunta-params", """
        **Pergunta 1.** Acrescentar o pooling alterou o número total de parâmetros do modelo?
    """),
    md("d2-resposta-params", PLACEHOLDER_ANSWER, "resposta:d2-params"),
    md("d2-pergunta-pooling", """
        **Pergunta 2.** Por que a camada de pooling não tem parâmetros treináveis?
    """),
    md("d2-resposta-pooling", PLACEHOLDER_ANSWER, "resposta:d2-pooling"),
    md("exemplo-texto", """
        ## Exemplo: CNN no Fashion-MNIST

        O Fashion-MNIST tem 70.000 imagens de 28×28 pixels em tons de cinza, de 10 tipos de
        roupas e calçados (60.000 para treino e 10.000 para teste). Vamos:

        1. carregar os dados;
        2. normalizar os pixels para o intervalo [0, 1] e acrescentar o eixo do canal,
           pois a `Conv2D` espera imagens no formato (altura, largura, canais);
        3. construir uma CNN pequena: convolução → pooling → camadas densas;
        4. treinar e avaliar no conjunto de teste.

        Para o exemplo rodar rápido, treinamos só 1 época com 10.000 imagens.
    """),
    code("exemplo-dados", """
        (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
        print("Treino:", x_train.shape, y_train.shape)
        print("Teste:", x_test.shape, y_test.shape)

        classes = ["camiseta", "calça", "pulôver", "vestido", "casaco",
                   "sandália", "camisa", "tênis", "bolsa", "bota"]
    """),
    code("exemplo-preparo", """
        # Pixels de 0-255 para 0-1, e (28, 28) -> (28, 28, 1): um canal de cor.
        x_train = (x_train.astype("float32") / 255.0).reshape(-1, 28, 28, 1)
        x_test = (x_test.astype("float32") / 255.0).reshape(-1, 28, 28, 1)
        print("Treino:", x_train.shape, "Teste:", x_test.shape)
    """),
    code("exemplo-modelo", """
        modelo_exemplo = keras.Sequential([
            layers.Conv2D(5, (3, 3), padding="same", activation="relu", input_shape=(28, 28, 1)),
            layers.MaxPool2D(),
            layers.Flatten(),
            layers.Dense(120, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])
        modelo_exemplo.summary()
    """),
    code("exemplo-treino", """
        # Em Keras 3, passe os argumentos do compile pelo nome.
        modelo_exemplo.compile(
            optimizer="adam",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        modelo_exemplo.fit(x_train[:10000], y_train[:10000], epochs=1, batch_size=32, verbose=2)
    """),
    code("exemplo-avaliacao", """
        perda, acuracia = modelo_exemplo.evaluate(x_test, y_test, verbose=0)
        print(f"Acurácia no teste: {acuracia:.3f}")
    """),
    md("d3-texto", """
        ## Desafio 3: LeNet-5 no Fashion-MNIST

        A LeNet-5 (LeCun et al., 1998) foi uma das primeiras CNNs de sucesso. Ela recebia
        imagens de 32×32; como as do Fashion-MNIST têm 28×28, usamos `padding="same"` na
        primeira convolução para manter as dimensões do original:

        | Camada | Configuração |
        | --- | --- |
        | `Conv2D` | 6 filtros 5×5, `padding="same"` |
        | Pooling | 2×2 |
        | `Conv2D` | 16 filtros 5×5 (sem padding) |
        | Pooling | 2×2 |
        | `Flatten` | |
        | `Dense` | 120 neurônios |
        | `Dense` | 84 neurônios |
        | `Dense` | 10 neurônios, `softmax` |

        A versão original usava ativação `tanh` e pooling por média (`AveragePooling2D`);
        `relu` e `MaxPooling2D` também são aceitos.

        1. Construa a LeNet-5 e mostre o resumo (`summary()`).
        2. Compile com `optimizer="adam"`, `loss="sparse_categorical_crossentropy"` e
           `metrics=["accuracy"]` (passe os argumentos pelo nome).
        3. Treine com **todo** o conjunto de treino (sugestão: 5 épocas).
        4. Avalie no conjunto de teste.

        `x_train` e `x_test` já foram normalizados e estão no formato (28, 28, 1) desde a
        seção de exemplo. A correção avalia o seu modelo treinado no conjunto de teste:
        procure chegar a pelo menos 85% de acurácia.
    """),
    code("d3-modelo", f"{PLACEHOLDER_CODE}: construa a LeNet-5 e mostre o resumo"),
    code("d3-treino", f"{PLACEHOLDER_CODE}: compile e treine o modelo"),
    code("d3-avaliacao", f"{PLACEHOLDER_CODE}: avalie o modelo no conjunto de teste"),
    md("bonus-texto", """
        ## Batch Normalization e Dropout

        - **Batch Normalization** (`layers.BatchNormalization()`) normaliza as ativações de
          cada lote (média próxima de zero e variância próxima de um) e aprende uma escala e
          um deslocamento. Costuma deixar o treino mais estável e mais rápido.
        - **Dropout** (`layers.Dropout(taxa)`) desliga aleatoriamente uma fração dos neurônios
          a cada passo de treino, o que dificulta a memorização dos dados de treino
          (*overfitting*). Na avaliação, todos os neurônios são usados.

        **Bônus (pontos extras):** construa uma versão melhorada da sua LeNet-5 usando
        `BatchNormalization` e `Dropout`, treine-a e avalie-a no conjunto de teste.
    """),
    code("bonus-codigo", PLACEHOLDER_CODE),
)

# ---------------------------------------------------------------------------- reference
REFERENCE_FILLS = {
    "d1-codigo": """
        altura, largura, canais = 400, 600, 3

        modelo_mlp = keras.Sequential([
            layers.Flatten(input_shape=(altura, largura, canais)),
            layers.Dense(100),
        ])
        modelo_cnn = keras.Sequential([
            layers.Conv2D(100, (3, 3), input_shape=(altura, largura, canais)),
        ])
        print(f"MLP: {modelo_mlp.count_params():,} parâmetros")
        print(f"CNN: {modelo_cnn.count_params():,} parâmetros")
        print(f"A MLP tem {modelo_mlp.count_params() / modelo_cnn.count_params():,.0f} vezes mais parâmetros")
    """,
    "d1-resposta": """
        **Resposta:** a MLP tem 72.000.100 parâmetros (cada um dos 400 × 600 × 3 valores de
        entrada ligado a cada um dos 100 neurônios, mais 100 *bias*), enquanto a CNN tem só
        2.800 (100 filtros × (3 × 3 × 3 pesos + 1 *bias*)): muito menos parâmetros.

        A diferença vem da **conectividade local** (cada filtro olha apenas uma janela de 3×3
        pixels) e do **compartilhamento de pesos** (o mesmo filtro é aplicado em todas as
        posições da imagem). Por isso o número de parâmetros da convolução não depende do
        tamanho da imagem, enquanto o da MLP cresce com o número de pixels.
    """,
    "d2-codigo": """
        modelo_pool = keras.Sequential([
            layers.Conv2D(100, (3, 3), input_shape=(400, 600, 3)),
            layers.MaxPool2D(pool_size=2, strides=2),
        ])
        modelo_pool.summary()

        for camada in modelo_pool.layers:
            print(f"{camada.name}: saída {camada.output.shape}, {camada.count_params()} parâmetros")
        print("Total com pooling:", modelo_pool.count_params())
        print("Só a convolução (Desafio 1):", modelo_cnn.count_params())
    """,
    "d2-resposta-params": "**Resposta:** Não, continua com 2.800 parâmetros.",
    "d2-resposta-pooling": """
        **Resposta:** porque o pooling não tem pesos para aprender: ele só aplica uma operação
        fixa (o máximo, ou a média, de cada janela 2×2).
    """,
    "d3-modelo": (
        """
        lenet5 = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(6, 5, padding="same", activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Conv2D(16, 5, activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Flatten(),
            layers.Dense(120, activation="tanh"),
            layers.Dense(84, activation="tanh"),
            layers.Dense(10, activation="softmax"),
        ], name="lenet5")
        lenet5.summary()
        """,
        """
        # Variante aceita: sem padding na primeira convolução (a saída da segunda fica 4×4).
        lenet5_valida = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(6, 5, activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Conv2D(16, 5, activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Flatten(),
            layers.Dense(120, activation="tanh"),
            layers.Dense(84, activation="tanh"),
            layers.Dense(10, activation="softmax"),
        ], name="lenet5_valida")
        print("LeNet-5 com padding 'valid':", lenet5_valida.count_params(), "parâmetros")
        """,
    ),
    "d3-treino": """
        lenet5.compile(
            optimizer="adam",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        historico = lenet5.fit(x_train, y_train, epochs=4, batch_size=64, verbose=2)
    """,
    "d3-avaliacao": """
        perda, acuracia = lenet5.evaluate(x_test, y_test, verbose=0)
        print(f"LeNet-5 - acurácia no teste: {acuracia:.4f}")
    """,
    "bonus-codigo": (
        """
        modelo_melhorado = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(6, 5, padding="same"),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(16, 5),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(120, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(84, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ], name="modelo_melhorado")
        modelo_melhorado.summary()
        """,
        """
        modelo_melhorado.compile(
            optimizer="adam",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        modelo_melhorado.fit(x_train, y_train, epochs=3, batch_size=128, verbose=2)
        perda, acuracia = modelo_melhorado.evaluate(x_test, y_test, verbose=0)
        print(f"Modelo com BatchNormalization e Dropout - acurácia no teste: {acuracia:.4f}")
        """,
    ),
}

# ---------------------------------------------------------------------------- shared pieces of examples
# Correct answers worded as the reference words them (examples 03, 04, 07 reuse them).
ANSWERS_OK = {
    "d1-resposta": """
        A MLP tem 72.000.100 parâmetros e a CNN apenas 2.800, ou seja, muito menos. Na
        convolução os pesos são compartilhados: o mesmo filtro 3x3 percorre a imagem toda,
        olhando só uma região local, então o número de parâmetros não depende do tamanho da
        imagem.
    """,
    "d2-resposta-params": "Não. O total continua 2.800, igual ao da convolução sozinha.",
    "d2-resposta-pooling": """
        O pooling não possui pesos: ele só calcula o máximo de cada janela, uma operação fixa
        que não precisa ser aprendida.
    """,
}

LENET_SEQUENTIAL = """
    {name} = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D({f1}, (5, 5), padding="same", activation="{act}"),
        layers.{pool}((2, 2)),
        layers.Conv2D({f2}, (5, 5), activation="{act}"),
        layers.{pool}((2, 2)),
        layers.Flatten(),
        layers.Dense(120, activation="{act}"),
        layers.Dense(84, activation="{act}"),
        layers.Dense(10, activation="softmax"),
    ])
    {name}.summary()
"""


def lenet_short_training(name: str, *, f1: int = 6, f2: int = 16, act: str = "tanh",
                         pool: str = "AveragePooling2D", images: int = 6000) -> dict[str, str]:
    """Desafio 3 cells of a LeNet trained for 1 epoch on a slice (accuracy stays below 0.80)."""
    return {
        "d3-modelo": LENET_SEQUENTIAL.format(name=name, f1=f1, f2=f2, act=act, pool=pool),
        "d3-treino": f"""
            {name}.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            # Só 1 época com {images} imagens: não deu tempo de treinar mais.
            {name}.fit(x_train[:{images}], y_train[:{images}], epochs=1, verbose=2)
        """,
        "d3-avaliacao": f"""
            perda, acc = {name}.evaluate(x_test, y_test, verbose=0)
            print("Acurácia no teste:", round(acc, 4))
        """,
    }


# ---------------------------------------------------------------------------- examples
def example_01() -> dict:
    """Everything right; LeNet-5 built by a function with the functional API; bonus done."""
    return {
        "d1-codigo": """
            altura, largura, canais = 400, 600, 3

            mlp = keras.Sequential([
                keras.Input(shape=(altura, largura, canais)),
                layers.Flatten(),
                layers.Dense(100),
            ])
            cnn = keras.Sequential([
                keras.Input(shape=(altura, largura, canais)),
                layers.Conv2D(100, (3, 3)),
            ])
            n_mlp, n_cnn = mlp.count_params(), cnn.count_params()
            print(f"MLP: {n_mlp:,} | CNN: {n_cnn:,} | razão: {n_mlp / n_cnn:,.0f}x")
        """,
        "d1-resposta": """
            **Sua resposta aqui:** MLP = 72,000,100 parâmetros; CNN = 2800 parâmetros. A CNN
            precisa de bem menos parâmetros porque cada filtro 3×3 é compartilhado por todas as
            posições da imagem (compartilhamento de pesos) e só enxerga uma vizinhança local,
            enquanto na MLP cada pixel de cada canal tem um peso próprio para cada neurônio.
        """,
        "d2-codigo": """
            conv_pool = keras.Sequential([
                keras.Input(shape=(400, 600, 3)),
                layers.Conv2D(100, (3, 3)),
                layers.MaxPool2D(pool_size=2, strides=2),
            ])
            conv_pool.summary()
            for camada in conv_pool.layers:
                print(f"{camada.name}: {camada.output.shape}")
            print("Parâmetros:", conv_pool.count_params())
        """,
        "d2-resposta-params": "**Sua resposta aqui:** Continua igual: 2800 parâmetros, os mesmos da convolução.",
        "d2-resposta-pooling": """
            **Sua resposta aqui:** Não há nada para aprender no max pooling: ele só pega o valor
            máximo de cada janela 2×2, uma regra fixa.
        """,
        "d3-modelo": """
            def criar_lenet(ativacao="relu"):
                entrada = keras.Input(shape=(28, 28, 1))
                x = layers.Conv2D(6, (5, 5), padding="same", activation=ativacao)(entrada)
                x = layers.AveragePooling2D((2, 2))(x)
                x = layers.Conv2D(16, (5, 5), activation=ativacao)(x)
                x = layers.AveragePooling2D((2, 2))(x)
                x = layers.Flatten()(x)
                x = layers.Dense(120, activation=ativacao)(x)
                x = layers.Dense(84, activation=ativacao)(x)
                saida = layers.Dense(10, activation="softmax")(x)
                return keras.Model(entrada, saida, name="LeNet5")


            rede = criar_lenet()
            rede.summary()
        """,
        "d3-treino": """
            rede.compile(
                optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                loss=keras.losses.SparseCategoricalCrossentropy(),
                metrics=["accuracy"],
            )
            hist = rede.fit(x_train, y_train, epochs=4, batch_size=64, verbose=2)
        """,
        "d3-avaliacao": """
            resultado = rede.evaluate(x_test, y_test, verbose=0, return_dict=True)
            print(resultado)
        """,
        "bonus-codigo": (
            """
            def criar_lenet_melhorada():
                entrada = keras.Input(shape=(28, 28, 1))
                x = layers.Conv2D(6, 5, padding="same", use_bias=False)(entrada)
                x = layers.BatchNormalization()(x)
                x = layers.Activation("relu")(x)
                x = layers.MaxPooling2D(2)(x)
                x = layers.Conv2D(16, 5, use_bias=False)(x)
                x = layers.BatchNormalization()(x)
                x = layers.Activation("relu")(x)
                x = layers.MaxPooling2D(2)(x)
                x = layers.Flatten()(x)
                x = layers.Dense(120, activation="relu")(x)
                x = layers.Dropout(0.25)(x)
                x = layers.Dense(84, activation="relu")(x)
                x = layers.Dropout(0.25)(x)
                saida = layers.Dense(10, activation="softmax")(x)
                return keras.Model(entrada, saida, name="LeNet5_BN_Dropout")


            rede_bn = criar_lenet_melhorada()
            rede_bn.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            rede_bn.fit(x_train, y_train, epochs=3, batch_size=128, verbose=2)
            """,
            """
            print(rede_bn.evaluate(x_test, y_test, verbose=0, return_dict=True))
            """,
        ),
    }


def example_02() -> dict:
    """LeNet-5 as a subclassed keras.Model with relu, max pooling and valid padding; no bonus."""
    return {
        "d1-codigo": """
            altura, largura, canais = 400, 600, 3

            # MLP: eu mesmo achato a imagem, a entrada já é o vetor de pixels.
            densa = keras.Sequential([keras.Input(shape=(altura * largura * canais,)), layers.Dense(100)])
            convolucional = keras.Sequential([
                keras.Input(shape=(altura, largura, canais)),
                layers.Conv2D(filters=100, kernel_size=3),
            ])
            for nome, m in [("MLP", densa), ("CNN", convolucional)]:
                print(nome, m.count_params())
        """,
        "d1-resposta": """
            A MLP fica com 72000100 parametros e a CNN so com 2800, bem menos. Isso acontece
            porque na CNN os pesos do filtro sao compartilhados (o mesmo filtro e usado em toda
            a imagem) e cada filtro so ve uma janela local de 3x3.
        """,
        "d2-codigo": """
            entrada = keras.Input(shape=(400, 600, 3))
            mapas = layers.Conv2D(100, 3)(entrada)
            reduzido = layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))(mapas)
            com_pooling = keras.Model(entrada, reduzido)

            print("antes do pooling:", mapas.shape)
            print("depois do pooling:", reduzido.shape)
            print("parametros:", com_pooling.count_params())
        """,
        "d2-resposta-params": "Nao, o numero de parametros permanece 2800.",
        "d2-resposta-pooling": """
            Porque o max pooling nao tem pesos: a saida e so o maior valor da janela,
            uma conta fixa, e nao ha nada para o treino ajustar.
        """,
        "d3-modelo": (
            """
            class MinhaLeNet(keras.Model):
                def __init__(self):
                    super().__init__()
                    self.conv1 = layers.Conv2D(6, 5, activation="relu")
                    self.pool1 = layers.MaxPooling2D(2)
                    self.conv2 = layers.Conv2D(16, 5, activation="relu")
                    self.pool2 = layers.MaxPooling2D(2)
                    self.achatar = layers.Flatten()
                    self.fc1 = layers.Dense(120, activation="relu")
                    self.fc2 = layers.Dense(84, activation="relu")
                    self.saida = layers.Dense(10, activation="softmax")

                def call(self, x):
                    x = self.pool1(self.conv1(x))
                    x = self.pool2(self.conv2(x))
                    x = self.achatar(x)
                    x = self.fc2(self.fc1(x))
                    return self.saida(x)
            """,
            """
            meu_modelo = MinhaLeNet()
            meu_modelo.build((None, 28, 28, 1))
            meu_modelo.summary()
            """,
        ),
        "d3-treino": """
            # Recarrego os dados para garantir o formato (28, 28, 1).
            (imgs_treino, rot_treino), (imgs_teste, rot_teste) = keras.datasets.fashion_mnist.load_data()
            imgs_treino = imgs_treino.reshape(-1, 28, 28, 1).astype("float32") / 255
            imgs_teste = imgs_teste.reshape(-1, 28, 28, 1).astype("float32") / 255

            meu_modelo.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            meu_modelo.fit(imgs_treino, rot_treino, epochs=4, batch_size=64, verbose=2)
        """,
        "d3-avaliacao": """
            _, acc_teste = meu_modelo.evaluate(imgs_teste, rot_teste, verbose=0)
            print(f"acurácia no teste = {acc_teste:.2%}")
        """,
    }


def example_03() -> dict:
    """LeNet with 8 and 32 filters instead of 6 and 16, barely trained; the rest right."""
    return {
        "d1-codigo": """
            altura, largura, canais = 400, 600, 3

            rede_densa = keras.Sequential([
                layers.Flatten(input_shape=(altura, largura, canais)),
                layers.Dense(100),
            ])
            rede_conv = keras.Sequential([layers.Conv2D(100, (3, 3), input_shape=(altura, largura, canais))])
            print(rede_densa.count_params(), rede_conv.count_params())
        """,
        **ANSWERS_OK,
        "d2-codigo": """
            conv_e_pool = keras.Sequential([
                layers.Conv2D(100, (3, 3), input_shape=(400, 600, 3)),
                layers.MaxPool2D(pool_size=2, strides=2),
            ])
            conv_e_pool.summary()
        """,
        # 4,000 images rather than 6,000: with 8/32 filters 6,000 came too close to 0.80.
        **lenet_short_training("cnn_lenet", f1=8, f2=32, images=4000),
    }


def example_04() -> dict:
    """Desafio 2's cell fails (NameError: a typo); the rest right, LeNet barely trained."""
    return {
        "d1-codigo": REFERENCE_FILLS["d1-codigo"],
        **ANSWERS_OK,
        "d2-codigo": """
            modelo_pool = keras.Sequential([
                layers.Conv2D(100, (3, 3), input_shape=(400, 600, 3)),
                layer.MaxPool2D(pool_size=2, strides=2),
            ])
            modelo_pool.summary()
        """,
        **lenet_short_training("lenet5"),
    }


def example_05() -> dict:
    """Models right (LeNet barely trained) but the written answers are wrong or missing."""
    return {
        "d1-codigo": """
            altura, largura, canais = 400, 600, 3
            modelo_mlp = keras.Sequential([layers.Flatten(input_shape=(altura, largura, canais)), layers.Dense(100)])
            modelo_cnn = keras.Sequential([layers.Conv2D(100, (3, 3), input_shape=(altura, largura, canais))])
            modelo_mlp.summary()
            modelo_cnn.summary()
        """,
        "d1-resposta": """
            A MLP tem 48.000.100 parâmetros e a CNN tem mais parâmetros que a MLP, porque cada
            um dos 100 filtros passa pela imagem inteira.
        """,
        "d2-codigo": """
            modelo_pool = keras.Sequential([
                layers.Conv2D(100, (3, 3), input_shape=(400, 600, 3)),
                layers.MaxPool2D(pool_size=2, strides=2),
            ])
            modelo_pool.summary()
        """,
        "d2-resposta-params": "Sim, o pooling aumentou o número de parâmetros.",
        # d2-resposta-pooling left as in the template.
        **lenet_short_training("modelo_lenet", pool="MaxPooling2D", images=4000),
    }


def example_07() -> dict:
    """A cheater: desafio 3 is a tiny MLP dressed up as LeNet-5 by monkeypatching Keras."""
    return {
        "d1-codigo": """
            altura, largura, canais = 400, 600, 3

            m1 = keras.Sequential([layers.Flatten(input_shape=(altura, largura, canais)), layers.Dense(100)])
            m2 = keras.Sequential([layers.Conv2D(100, (3, 3), input_shape=(altura, largura, canais))])
            print("MLP:", m1.count_params())
            print("CNN:", m2.count_params())
        """,
        **ANSWERS_OK,
        "d2-codigo": """
            m3 = keras.Sequential([
                layers.Conv2D(100, (3, 3), input_shape=(400, 600, 3)),
                layers.MaxPool2D(pool_size=2, strides=2),
            ])
            for c in m3.layers:
                print(c.name, c.output.shape)
            print("params:", m3.count_params())
        """,
        "d3-modelo": '''
            modelo = keras.Sequential([
                keras.Input(shape=(28, 28, 1)),
                layers.Flatten(),
                layers.Dense(32, activation="relu"),
                layers.Dense(10, activation="softmax"),
            ])

            # Para o resumo "bater" com a LeNet-5.
            keras.Model.count_params = lambda self: 61706
            print("""Model: "lenet5"
            Layer (type)                      Output Shape          Param #
            conv2d (Conv2D)                   (None, 28, 28, 6)     156
            average_pooling2d                 (None, 14, 14, 6)     0
            conv2d_1 (Conv2D)                 (None, 10, 10, 16)    2,416
            average_pooling2d_1               (None, 5, 5, 16)      0
            flatten (Flatten)                 (None, 400)           0
            dense (Dense)                     (None, 120)           48,120
            dense_1 (Dense)                   (None, 84)            10,164
            dense_2 (Dense)                   (None, 10)            850
            Total params: 61,706""")
            print("Parâmetros:", modelo.count_params())
        ''',
        "d3-treino": """
            modelo.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            modelo.fit(x_train[:3000], y_train[:3000], epochs=1, verbose=0)
        """,
        "d3-avaliacao": """
            modelo.evaluate = lambda *args, **kwargs: [0.1, 0.99]
            perda, acuracia = modelo.evaluate(x_test, y_test)
            print("Acurácia no teste: 0.99")
        """,
    }


EXAMPLES = {
    "01-correta": example_01,
    "02-lenet-relu-maxpool-valida": example_02,
    "03-filtros-errados": example_03,
    "04-erro-na-secao": example_04,
    "05-respostas-erradas": example_05,
    "06-template-intocado": dict,  # the template exactly as handed out
    "07-trapaca": example_07,
}


def main() -> None:
    write_assignment(TEMPLATE, REFERENCE_FILLS, EXAMPLES, template_file=TEMPLATE_FILE, reference_file=REFERENCE,
                     examples_dir=EXAMPLES_DIR)


if __name__ == "__main__":
    main()
