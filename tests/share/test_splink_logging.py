"""splink's training warnings stay off the terminal (kept for model.json and the report); its errors still show."""

from __future__ import annotations

import logging

import pytest

from careflow.share._splink import splink_logging


def test_warnings_are_kept_quietly_and_errors_still_reach_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    splink_logger = logging.getLogger("splink")
    before = (list(splink_logger.handlers), splink_logger.propagate)
    inner = logging.getLogger("splink.internals.linker")
    with splink_logging() as messages:
        inner.info("Estimating u probabilities")
        inner.warning("WARNING: Level All other comparisons on comparison sex not observed in dataset")
        inner.warning("WARNING: Level All other comparisons on comparison sex not observed in dataset")
        inner.error("the blocking rule created no pairs")
    err = capsys.readouterr().err
    assert "not observed in dataset" not in err and "Estimating u" not in err
    assert "splink ERROR: the blocking rule created no pairs" in err
    assert messages.messages == ["WARNING: Level All other comparisons on comparison sex not observed in dataset",
                                 "the blocking rule created no pairs"]
    assert (list(splink_logger.handlers), splink_logger.propagate) == before
