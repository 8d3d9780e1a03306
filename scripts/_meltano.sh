# Sourced by scripts/demo: Meltano in its own venv, .venv-meltano, so that Meltano's pins and the project's
# never constrain each other (tests/e2e/tools.py builds the same venv, with the same marker file).
MELTANO_REQUIREMENT='meltano>=4.4.1,<4.5'
if [ ! -x .venv-meltano/bin/meltano ] || [ "$(cat .venv-meltano/.installed 2>/dev/null)" != "$MELTANO_REQUIREMENT" ]; then
  echo "== installing Meltano into .venv-meltano (first run only, ~30 s)"
  rm -rf .venv-meltano
  python3 -m venv .venv-meltano
  .venv-meltano/bin/python -m pip install --quiet --disable-pip-version-check "$MELTANO_REQUIREMENT"
  printf %s "$MELTANO_REQUIREMENT" >.venv-meltano/.installed
fi
meltano=.venv-meltano/bin/meltano
