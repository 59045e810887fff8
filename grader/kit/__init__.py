"""The student kit: what an instructor publishes so students can check before handing in.

``grader kit build`` (:mod:`grader.kit.build`) writes it, ``grader check --kit``
(:mod:`grader.kit.check`) and ``verificar()`` in the notebook (:mod:`grader.kit.live`)
read it. Importing this package loads nothing heavy (no TensorFlow, no kernel).
"""
