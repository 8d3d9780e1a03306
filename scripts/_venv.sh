# Sourced by the scripts: make .venv with the project installed (editable, dev extras) and activate it.
# Reinstalls only when pyproject.toml changed since the last install.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-pyproject
if ! cmp -s pyproject.toml "$stamp" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  cp pyproject.toml "$stamp"
fi
# shellcheck disable=SC1091
. .venv/bin/activate
