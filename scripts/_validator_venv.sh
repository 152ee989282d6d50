# Shared by scripts/validate_903/run.sh and scripts/validate_cin/run.sh (sourced, not run): build the validator's own
# venv from the requirements.txt beside the calling script, reuse it while that file and the Python are unchanged,
# then run the validate.py beside the caller with the caller's arguments.
# The caller sets HERE (its folder), NAME (for messages), VENV_ENV (the variable naming the venv) and VENV.
REQ="$HERE/requirements.txt"
STAMP="$VENV/.careflow-validator-stamp"

fail_install() {
    echo "$NAME: installation failed: $*" >&2
    exit 2
}

# Print the path of a Python 3.10/3.11 interpreter (numpy 1.24 has no wheels for 3.12+).
pick_python() {
    local cands=() py
    if [[ -n "${CAREFLOW_VALIDATOR_PYTHON:-}" ]]; then
        cands+=("$CAREFLOW_VALIDATOR_PYTHON")
    else
        cands+=(python3.11 python3.10 python3 python)
        # pyenv shims exist for versions that are installed but not active: look behind them.
        if command -v pyenv >/dev/null 2>&1; then
            local root
            root="$(pyenv root 2>/dev/null || true)"
            [[ -n "$root" ]] && cands+=("$root"/versions/3.11*/bin/python3 "$root"/versions/3.10*/bin/python3)
        fi
    fi
    for py in "${cands[@]}"; do
        if "$py" -c 'import sys, venv; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 11) else 1)' \
            >/dev/null 2>&1; then
            "$py" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    local want have=""
    want="$( (sha256sum "$REQ" 2>/dev/null || shasum -a 256 "$REQ") | cut -d' ' -f1)"
    if [[ -f "$STAMP" && -x "$VENV/bin/python" ]]; then
        have="$(cat "$STAMP")"
        # the stamp records the requirements hash and the Python version the venv was built with
        if [[ "$have" == "$want "* ]] && "$VENV/bin/python" -c 'pass' >/dev/null 2>&1; then
            return 0
        fi
    fi

    local py
    py="$(pick_python)" || fail_install "no Python 3.10 or 3.11 found (the validator pins numpy<1.25, which has \
no wheels for Python 3.12+). Install python3.11 or set CAREFLOW_VALIDATOR_PYTHON to one."

    if [[ -e "$VENV" ]]; then
        # only ever delete something that is a venv (ours, stale or half-built)
        if [[ -f "$VENV/pyvenv.cfg" || -f "$STAMP" ]]; then
            rm -rf "$VENV"
        else
            fail_install "$VENV exists and is not a venv; remove it or set $VENV_ENV"
        fi
    fi
    mkdir -p "$(dirname "$VENV")"
    echo "$NAME: creating venv $VENV with $py (one-off, ~20 s)" >&2
    local log
    log="$(mktemp)"
    if ! "$py" -m venv "$VENV" >"$log" 2>&1; then
        cat "$log" >&2
        rm -rf "$VENV" "$log"
        fail_install "'$py -m venv' failed (on Debian: apt-get install python3-venv)"
    fi
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --no-input --timeout 60 --retries 2 -r "$REQ" >"$log" 2>&1; then
        grep -v '^WARNING: Location' "$log" | tail -n 25 >&2
        rm -rf "$VENV" "$log"
        fail_install "pip could not install $REQ (no network or no package index?)"
    fi
    rm -f "$log"
    echo "$want $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')" >"$STAMP"
}

# Serialise venv creation between concurrent callers (e.g. parallel test runs).
mkdir -p "$(dirname "$VENV")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$VENV.lock"
    flock 9
fi
ensure_venv
if command -v flock >/dev/null 2>&1; then
    flock -u 9
    exec 9>&-
fi

if [[ "${1:-}" == "--setup-only" ]]; then
    echo "$NAME: venv ready at $VENV ($(cut -d' ' -f2 "$STAMP"))"
    exit 0
fi

exec "$VENV/bin/python" "$HERE/validate.py" "$@"
