#!/usr/bin/env bash
# Run DfE's CIN census validation rules (PyPI: csc-validator-be-cin, import name cin_validator)
# on a CIN census XML return.
#
#   scripts/validate_cin/run.sh FILE.xml --year 2026 [--output FILE]
#   scripts/validate_cin/run.sh --setup-only      # just create/refresh the venv, then exit
#
# The validator pins pandas 1.5.3 (needs numpy<1.25), so it lives in its own venv at
# ${CAREFLOW_VALIDATOR_CIN_VENV:-$HOME/.cache/careflow/validator-cin-venv}, built from the pinned
# requirements.txt beside this script and reused while that file and the Python are unchanged.
# CAREFLOW_VALIDATOR_PYTHON picks the interpreter for the venv (must be Python 3.10 or 3.11).
#
# Exit codes: 0 no errors (query rules may have fired), 1 validation errors, 2 usage or installation failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME=validate_cin
VENV_ENV=CAREFLOW_VALIDATOR_CIN_VENV
VENV="${CAREFLOW_VALIDATOR_CIN_VENV:-$HOME/.cache/careflow/validator-cin-venv}"
# shellcheck source=../_validator_venv.sh
source "$HERE/../_validator_venv.sh" "$@"
