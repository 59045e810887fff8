#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 22.04).
# It installs Python 3.11 (the grader needs 3.11 or later; Ubuntu 22.04's python3 is 3.10),
# the grader from /autograder/source with its dependencies from PyPI, and bubblewrap (strict
# kernel isolation, where the container allows it; otherwise kernels run with resource limits
# only). Fashion-MNIST is in the zip (source/data/fashion-mnist): nothing is downloaded for it,
# neither here nor when a submission is graded.
set -euo pipefail

SOURCE=/autograder/source
VENV=/opt/grader-venv
export DEBIAN_FRONTEND=noninteractive

apt-get update -q
apt-get install -y -q --no-install-recommends python3.11 python3.11-venv bubblewrap
python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# editable: the grader's templates and assignments stay where the zip put them
"$VENV/bin/python" -m pip install --quiet -e "$SOURCE"
test -f "$SOURCE/data/fashion-mnist/t10k-images-idx3-ubyte.gz"

# The reference solution is executed once, now, and its facts stored: each submission then
# runs only the student's notebook. If this fails, every submission runs the reference too.
GRADER_AUTOGRADER_ROOT=/autograder "$VENV/bin/python" -m grader.gradescope.autograde --warm \
  || echo "WARNING: the reference solution could not be stored; each submission will execute it too"
