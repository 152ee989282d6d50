"""The CLI entry points on the pooled regional sample files: CSVs and a self-contained report."""

from __future__ import annotations

from pathlib import Path

from careflow.flows import cli_backtest, cli_forecast


def test_forecast_writes_report(shared: Path, tmp_path: Path, capsys):
    sample = shared / "data" / "synthetic" / "cs-demand-model-regional"
    rc = cli_forecast(sample, reference_years=2, horizon_months=60, scenarios=["family_help"],
                      output_dir=tmp_path)
    assert rc == 0
    html = (tmp_path / "report.html").read_text()
    assert html.count("<svg") >= 5 and "<script" not in html and "http" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    for name in ("stock.csv", "flows.csv", "spend_year.csv", "issues.csv", "family_help_difference.csv"):
        assert (tmp_path / name).exists(), name
    assert "children in care on" in capsys.readouterr().out


def test_forecast_bad_scenario_is_exit_2(shared: Path, tmp_path: Path, capsys):
    sample = shared / "data" / "synthetic" / "cs-demand-model-regional"
    assert cli_forecast(sample, scenarios=["no_such_scenario"], output_dir=tmp_path) == 2
    assert "no scenario file 'no_such_scenario'" in capsys.readouterr().out


def test_backtest_prints_table(shared: Path, capsys):
    sample = shared / "data" / "synthetic" / "cs-demand-model-regional"
    assert cli_backtest(sample, reference_years=2) == 0
    out = capsys.readouterr().out
    assert "MAPE" in out and "95% band covers" in out


def test_forecast_microsim_reports_progress(shared: Path, tmp_path: Path, monkeypatch):
    from careflow.flows import FlowModel

    calls: list[tuple[int, int]] = []
    original = FlowModel.simulate

    def watched(self, *args, progress=None, **kwargs):
        assert progress is not None, "cli_forecast must give the microsimulation a progress callback"

        def record(done: int, total: int) -> None:
            calls.append((done, total))
            progress(done, total)

        return original(self, *args, progress=record, **kwargs)

    monkeypatch.setattr(FlowModel, "simulate", watched)
    sample = shared / "data" / "synthetic" / "cs-demand-model-regional"
    rc = cli_forecast(sample, reference_years=2, horizon_months=30, engine="microsim", runs=20,
                      scenarios=["family_help"], output_dir=tmp_path, with_backtest=False)
    assert rc == 0
    assert calls and calls[-1][0] == calls[-1][1]
