#!/usr/bin/env bash
# Build the peer's own virtual environment: the Social Finance demand model (cs-demand-model on PyPI) pins
# pandas < 2 and numpy < 2, so it cannot share careflow's environment.
# Usage: bash benchmarks/peer_demand_model/setup_venv.sh [VENV_DIR]   (default: benchmarks/peer_demand_model/.venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-$here/.venv}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "cs-demand-model==0.5.1"
"$venv/bin/python" -c "import cs_demand_model, pandas; print('cs-demand-model ready; pandas', pandas.__version__)"
