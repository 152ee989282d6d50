"""The SSDA903 reader (and the folder and detection layers above it) give exactly what they gave before they were
made faster (issue 9): every table, column by column, and every issue (code, severity, message, file, row,
element, field, value, table), in order.

The reference, ``reference/reader_outputs.json.gz``, was written by the code as it was before that change (commit
05db2c8, on main): run with that commit's ``src`` first on the path and ``../shared`` beside the checkout::

    git archive 05db2c8 src | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old/src python tests/returns/test_reader_reference.py --write

It holds, for each case, each table's height and, per column, its type and a SHA-256 of its values (so that a
difference names the column), and the issues in full. The cases are:

* the benchmark LA of ``benchmarks/bench_forecast_process.py`` (five years of DfE per-year folders written from
  ``careflow.synth.generate(60_000, end_year=2022, years=6, seed=1)``, kept here as ``reference/benchmark_la.tar.gz``
  so that a change to the synthesiser cannot move the input), read as ``careflow forecast`` reads it and otherwise;
* every bad-input fixture in ``fixtures/ssda903`` and ``fixtures/cin``, without and with a collection year;
* the synthetic SSDA903 and CIN census files of other tools in ``../shared/data/synthetic`` (skipped with a
  reason when ``../shared`` is absent).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference" / "reader_outputs.json.gz"
LA_ARCHIVE = HERE / "reference" / "benchmark_la.tar.gz"
FIXTURES = HERE / "fixtures"

Case = tuple[str, Callable[[], dict[str, Any]]]


def _frames(data: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in data.names():
        frame = data[name]
        out[name] = {
            "height": frame.height,
            "columns": {
                column: [str(frame[column].dtype), hashlib.sha256(repr(frame[column].to_list()).encode()).hexdigest()]
                for column in frame.columns
            },
        }
    return out


def _issues(issues: list[Any], root: Path | None = None) -> list[list[Any]]:
    def text(value: Any) -> Any:
        return value.replace(str(root), "<root>") if root is not None and isinstance(value, str) else value

    return [
        [i.code, str(i.severity), text(i.message), text(i.file), i.row, i.element, i.field, i.value, i.table]
        for i in issues
    ]


def _result(result: Any, root: Path | None = None) -> dict[str, Any]:
    return {
        "tables": _frames(result.data),
        "issues": _issues(result.issues, root),
        "files": [Path(f).name for f in result.files],
        "collection": result.collection,
        "year": result.year,
    }


def _folder(read: Any, root: Path) -> dict[str, Any]:
    return {
        "tables": _frames(read.data),
        "issues": _issues(read.issues, root),
        "layout": read.layout,
        "years": read.years,
        "repeated": read.repeated,
        "revised": read.revised,
        "describe": read.describe().replace(str(root), "<root>"),
        "per_year": [_result(r.result, root) for r in read.returns],
    }


def la_cases(root: Path) -> Iterator[Case]:
    """The benchmark LA, unpacked under ``root``."""
    from careflow.returns import read_folder, read_return, read_ssda903

    returns = root / "returns"
    yield "la/forecast", lambda: _folder(read_folder(returns, reconcile=False, collections={"ssda903"}), root)
    yield "la/reconciled", lambda: _folder(read_folder(returns), root)
    yield "la/2021-inferred-year", lambda: _result(read_ssda903(returns / "2021"), root)
    yield "la/2019-given-2022", lambda: _result(read_return(returns / "2019", year=2022), root)
    edited = _edited(returns, root / "edited")
    yield "edited/forecast", lambda: _folder(read_folder(edited, reconcile=False, collections={"ssda903"}), root)
    yield "edited/reconciled", lambda: _folder(read_folder(edited), root)
    yield "edited/2025-no-year", lambda: _result(read_ssda903(edited / "2025"), root)


def _edited(returns: Path, out: Path) -> Path:
    """Two years of the benchmark LA, moved to years careflow holds code lists for (2024-25 and 2025-26) and
    broken so that each kind of issue comes more than the 200 listed one by one: missing and invalid values,
    duplicate and overlapping episodes, episodes ending before they start or starting before birth, and an
    episode revised between the years."""

    def edit(source: Path, target: Path, change: Callable[[int, list[str]], list[list[str]]]) -> None:
        lines = source.read_text().splitlines()
        rows = [lines[0].split(",")]
        for number, line in enumerate(lines[1:], start=2):
            rows += change(number, line.split(","))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(",".join(r) for r in rows) + "\n")

    def episodes_2025(number: int, row: list[str]) -> list[list[str]]:
        if number <= 251:
            row[0] = ""  # CHILD missing
        elif number <= 520:
            row[5] = "ZZ"  # PLACE not a code
        elif number <= 540:
            row[7] = "01/01/2000"  # DEC before DECOM
        return [row, list(row)] if 600 <= number <= 850 else [row]  # repeated rows

    def episodes_2026(number: int, row: list[str]) -> list[list[str]]:
        if number <= 400 and row[3]:
            row[3] = "C2" if row[3] != "C2" else "C1"  # LS revised
        return [row]

    def header_2025(number: int, row: list[str]) -> list[list[str]]:
        if number <= 260:
            row[2] = "01/01/2024"  # born after the episodes start
        return [row]

    edit(returns / "2020" / "episodes.csv", out / "2025" / "episodes.csv", episodes_2025)
    edit(returns / "2020" / "header.csv", out / "2025" / "header.csv", header_2025)
    edit(returns / "2021" / "episodes.csv", out / "2026" / "episodes.csv", episodes_2026)
    edit(returns / "2021" / "header.csv", out / "2026" / "header.csv", lambda n, row: [row])
    return out


def odd_cases(root: Path) -> Iterator[Case]:
    """Small files made here for what the fixtures lack: empty rows (with and without spaces), extra and
    repeated columns, a header alone, quoted values, and more than 200 values that do not read in one field."""
    from careflow.returns import read_ssda903

    folder = root / "odd"
    folder.mkdir(parents=True, exist_ok=True)
    episodes = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
    row = "{child},01/04/2024,S,C2,N1,U1,PR1,,,,AB1 2CD,EF3 4GH,"
    files = {
        "empty_rows_episodes.csv": "\n".join([episodes, row.format(child=1), ",,,,,,,,,,,,", row.format(child=2),
                                               ",,,,,,,,,,,,", ""]),
        "spaced_episodes.csv": "\n".join([episodes, row.format(child=" 1"), " , , , , , , , , , , , , ",
                                           row.format(child="2 "), "\t,,,,,,,,,,,,", ""]),
        "only_empty_episodes.csv": "\n".join([episodes, ",,,,,,,,,,,,", ",,,,,,,,,,,,", ""]),
        "header_only_episodes.csv": episodes + "\n",
        "columns_episodes.csv": "\n".join([episodes + ",FOO,RNE,", row.format(child=1) + ",x,P,",
                                            row.format(child=2) + ",,,", ""]),
        "quoted_episodes.csv": "\n".join([episodes, row.format(child='"3"'), row.format(child=4) + ",extra",
                                           '5,"01/04/2024",S', ""]),
        "oc2.csv": "\n".join(
            ["CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,"
             "SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED"]
            + [f"{i},01/01/2010,{('99', 'abc', '12', '40000', '7.0')[i % 5]},SDQ1,{i % 3},1,0,1.0,,2,1,0"
               for i in range(600)] + [""]),
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    for name in files:
        for year in (None, 2025):
            yield f"odd/{name}/{year}", lambda name=name, year=year: _result(read_ssda903(folder / name, year=year),
                                                                            root)


def fixture_cases() -> Iterator[Case]:
    """Every bad-input fixture, read alone without and with a collection year."""
    from careflow.returns import read_cin_census, read_return, read_ssda903

    for path in sorted((FIXTURES / "ssda903").iterdir()):
        for year in (None, 2025):
            yield (f"fixtures/ssda903/{path.name}/{year}",
                   lambda path=path, year=year: _result(read_ssda903(path, year=year), FIXTURES))
        yield f"fixtures/ssda903/{path.name}/detect", lambda path=path: _result(read_return(path), FIXTURES)
    for path in sorted((FIXTURES / "cin").iterdir()):
        yield f"fixtures/cin/{path.name}", lambda path=path: _result(read_cin_census(path), FIXTURES)
        yield f"fixtures/cin/{path.name}/detect", lambda path=path: _result(read_return(path), FIXTURES)
    files = sorted((FIXTURES / "ssda903").glob("*.csv"))
    yield "fixtures/ssda903/all-csv", lambda: _result(read_ssda903(files), FIXTURES)


def shared_cases(shared: Path) -> Iterator[Case]:
    """The synthetic returns of other tools in ``../shared/data/synthetic``."""
    from careflow.returns import read_cin_census, read_folder, read_return, read_ssda903

    synthetic = shared / "data" / "synthetic"
    validator = synthetic / "csc-validator-be-903"
    for path in sorted(validator.iterdir()):
        yield f"shared/{path.name}", lambda path=path: _result(read_ssda903(path), synthetic)
    csvs = sorted(validator.glob("*.csv"))
    yield "shared/validator-csv", lambda: _result(read_ssda903(csvs), synthetic)
    yield "shared/validator-csv-2023", lambda: _result(read_ssda903(csvs, year=2023), synthetic)
    yield "shared/validator-folder", lambda: _result(read_return(validator), synthetic)
    yield "shared/validator-xml-2022", lambda: _result(read_ssda903(validator / "fake_903.xml", year=2022), synthetic)
    regional = synthetic / "cs-demand-model-regional"
    yield "shared/regional", lambda: _result(read_ssda903(regional), synthetic)
    yield "shared/regional-folder", lambda: _folder(read_folder(regional), synthetic)
    liia = synthetic / "liia-tools" / "SSDA903_2020_episodes.csv"
    yield "shared/liia-episodes", lambda: _result(read_ssda903(liia), synthetic)
    yield "shared/liia-episodes-2021", lambda: _result(read_ssda903(liia, year=2021), synthetic)
    for path in sorted((synthetic / "csc-validator-be-cin").glob("*.xml")):
        yield f"shared/cin/{path.name}", lambda path=path: _result(read_cin_census(path), synthetic)
    yield "shared/liia-cin", lambda: _result(read_return(synthetic / "liia-tools" / "cin-2022.xml"), synthetic)


def _unpack(root: Path) -> Path:
    with tarfile.open(LA_ARCHIVE) as archive:
        archive.extractall(root, filter="data")
    return root


def _reference() -> dict[str, Any]:
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        found: dict[str, Any] = json.load(handle)
    return found


def _check(cases: Iterator[Case]) -> None:
    reference = _reference()
    checked = 0
    for name, run in cases:
        assert name in reference, f"{name}: no reference output; write it with the code before the change"
        expected = reference[name]
        got = json.loads(json.dumps(run()))  # the same JSON round trip as the reference (tuples become lists)
        for key in expected:
            if key in ("tables", "per_year"):
                continue
            assert got[key] == expected[key], f"{name}: {key} differs"
        _same_tables(name, got["tables"], expected["tables"])
        for i, (a, b) in enumerate(zip(got.get("per_year", []), expected.get("per_year", []), strict=True)):
            _same_tables(f"{name} return {i}", a["tables"], b["tables"])
            assert a["issues"] == b["issues"], f"{name} return {i}: issues differ"
        checked += 1
    assert checked


def _same_tables(name: str, got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert list(got) == list(expected), f"{name}: tables {list(got)}, expected {list(expected)}"
    for table, want in expected.items():
        have = got[table]
        assert have["height"] == want["height"], f"{name}: {table} has {have['height']} rows, expected {want['height']}"
        assert list(have["columns"]) == list(want["columns"]), f"{name}: {table} columns differ"
        for column, (dtype, digest) in want["columns"].items():
            assert have["columns"][column][0] == dtype, f"{name}: {table}.{column} is {have['columns'][column][0]}"
            assert have["columns"][column][1] == digest, f"{name}: {table}.{column} values differ"


def test_benchmark_la_reads_as_before(tmp_path: Path) -> None:
    _check(la_cases(_unpack(tmp_path)))


def test_fixtures_read_as_before() -> None:
    _check(fixture_cases())


def test_odd_files_read_as_before(tmp_path: Path) -> None:
    _check(odd_cases(tmp_path))


@pytest.mark.shared
def test_shared_synthetic_files_read_as_before(shared: Path) -> None:
    _check(shared_cases(shared))


def test_reading_twice_in_one_process_gives_the_same(tmp_path: Path) -> None:
    """What the reader keeps between calls (compiled checks, code lists) does not change a second read."""
    cases = dict(la_cases(_unpack(tmp_path)))
    first = json.dumps(cases["la/forecast"]())
    assert json.dumps(cases["la/forecast"]()) == first


def _write() -> None:
    import tempfile

    from tests.conftest import shared_dir

    shared = shared_dir()
    if shared is None:
        sys.exit("../shared is needed to write the reference")
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = [*la_cases(_unpack(Path(tmp))), *odd_cases(Path(tmp)), *fixture_cases(), *shared_cases(shared)]
        for name, run in cases:
            assert name not in out, name
            out[name] = json.loads(json.dumps(run()))
    with gzip.open(REFERENCE, "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump(out, handle, indent=0, sort_keys=False)
    print(f"wrote {len(out)} cases to {REFERENCE}")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    sys.path.insert(0, str(HERE.parents[1]))
    _write()
