#!/usr/bin/env bash
# Run DfE's SSDA903 validation rules (PyPI: csc-validator-be-903, import name lac_validator)
# on a folder of SSDA903 CSV files.
#
#   scripts/validate_903/run.sh DIR --year 2024 [--la-code E09000027] [--previous DIR] [--output FILE]
#   scripts/validate_903/run.sh --setup-only      # just create/refresh the venv, then exit
#
# The validator pins pandas<2 / numpy<1.25, so it lives in its own venv at
# ${CAREFLOW_VALIDATOR_VENV:-$HOME/.cache/careflow/validator-903-venv}, built from the pinned
# requirements.txt beside this script and reused while that file and the Python are unchanged.
# CAREFLOW_VALIDATOR_PYTHON picks the interpreter for the venv (must be Python 3.10 or 3.11).
#
# Exit codes: 0 no errors, 1 validation errors, 2 usage or installation failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME=validate_903
VENV_ENV=CAREFLOW_VALIDATOR_VENV
VENV="${CAREFLOW_VALIDATOR_VENV:-$HOME/.cache/careflow/validator-903-venv}"
# shellcheck source=../_validator_venv.sh
source "$HERE/../_validator_venv.sh" "$@"
