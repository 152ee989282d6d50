"""User reform packages and bad input: clear messages, never silent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from careflow.reform import LeverOverlapError, ParameterError, UnknownNameError, load_package, run
from careflow.reform.package import review_package


def _write(tmp_path: Path, raw: dict[str, object], name: str = "pkg.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_the_review_package_has_every_lever_on() -> None:
    pkg = review_package()
    assert len(pkg.enabled) == 22


def test_switch_a_lever_off(tmp_path: Path) -> None:
    path = _write(tmp_path, {"name": "no RCCs", "levers": {"regional_care_cooperatives": False}})
    pkg = load_package(path)
    assert "regional_care_cooperatives" not in pkg.enabled
    full, part = run(), run(pkg)
    gap = full.total[0] - part.total[0]
    assert np.allclose(gap, full.levers["regional_care_cooperatives"].net[0])


def test_scale_an_effect_and_delay_a_lever(tmp_path: Path) -> None:
    base = run()
    half = run(load_package(_write(tmp_path, {"levers": {"family_help": {"scale": {"entry_reduction": 0.5}}}})))
    # Entries avoided are linear in the effect size, and the stock-flow is linear in entries avoided.
    assert half.diverted["family_help"][0, -1] == pytest.approx(0.5 * base.diverted["family_help"][0, -1])
    late = run(load_package(_write(tmp_path, {"levers": {"family_help": {"delay_years": 1}}}, "late.yaml")))
    assert late.levers["family_help"].net[0, 1] == 0  # nothing spent in 2024-25 any more
    assert np.allclose(late.levers["family_help"].costs[0, 2:], base.levers["family_help"].costs[0, 1:-1])
    assert late.diverted["family_help"][0, 1] == 0
    assert (late.diverted["family_help"][0, 1:] < base.diverted["family_help"][0, 1:]).all()


def test_replace_values(tmp_path: Path) -> None:
    path = _write(tmp_path, {"levers": {"kinship_leave": {"values": {"published_cost": {"2024-04-01": 20}}}},
                             "parameters": {"unit_costs.looked_after": {"2016-04-01": 50000}}})
    r = run(load_package(path))
    assert r.levers["kinship_leave"].net[0, 5] < run().levers["kinship_leave"].net[0, 5]
    assert r.package.system["unit_costs.looked_after"].first_value == 50000


def test_a_package_starting_empty(tmp_path: Path) -> None:
    path = _write(tmp_path, {"base": "empty", "levers": {"family_help": True}})
    r = run(load_package(path))
    assert list(r.levers) == ["family_help"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"levers": {"family_hlep": False}}, "unknown lever 'family_hlep'. Did you mean 'family_help'?"),
        ({"levers": {"family_help": {"scale": {"entry_reductio": 2}}}}, "Did you mean 'entry_reduction'?"),
        ({"levers": {"family_help": {"scael": {}}}}, "Did you mean 'scale'?"),
        ({"levers": {"family_help": {"values": {"investment": {"2024-04-01": -100}}}}}, "is negative"),
        ({"levers": {"sgo_kinship_allowance": {"values": {"share_newly_paid": {"2024-04-01": 1.4}}}}}, "above 1"),
        ({"levers": {"sgo_kinship_allowance": {"scale": {"share_newly_paid": 10}}}}, "above 1"),
        ({"levers": {"family_help": {"values": {"investment": {"2045-04-01": 1}}}}}, "outside the model's years"),
        ({"levers": {"family_help": {"delay_years": 20}}}, "delay_years"),
        ({"levers": {"family_help": {"scale": {"investment": -1}}}}, "must be a number >= 0"),
        ({"parameters": {"unit_costs.looked_afterr": {"2016-04-01": 1}}}, "Did you mean 'unit_costs.looked_after'?"),
        ({"bsae": "empty"}, "Did you mean 'base'?"),
        ({"base": "reveiw_2022"}, "Did you mean 'review_2022'?"),
    ],
)
def test_bad_packages_are_reported(tmp_path: Path, raw: dict[str, object], message: str) -> None:
    with pytest.raises((ParameterError, UnknownNameError)) as info:
        load_package(_write(tmp_path, raw))
    assert message.rstrip('?') in str(info.value)


def test_all_problems_together(tmp_path: Path) -> None:
    raw = {"levers": {"family_hlep": False, "family_help": {"values": {"investment": {"2024-04-01": -1}}}}}
    with pytest.raises(ParameterError) as info:
        load_package(_write(tmp_path, raw))
    assert len(info.value.problems) == 2


def test_levers_overlapping_the_same_flow_are_refused(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src/careflow/reform/parameters/levers/family_help.yaml"
    lever = yaml.safe_load(src.read_text())
    lever["title"] = "Family Help plus"
    _write(tmp_path, lever, "family_help_plus.yaml")
    path = _write(tmp_path, {"add": ["family_help_plus.yaml"]})
    with pytest.raises(LeverOverlapError, match=r"'family_help' and 'family_help_plus' both act on flow "
                                                r"'entries\.family_help'"):
        load_package(path)
    ok = _write(tmp_path, {"add": ["family_help_plus.yaml"], "levers": {"family_help": False}}, "ok.yaml")
    assert "family_help_plus" in load_package(ok).enabled


def test_an_empty_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="switches every lever off"):
        load_package(_write(tmp_path, {"base": "empty"}))


def test_unknown_package_name() -> None:
    with pytest.raises(UnknownNameError, match="review_2022"):
        load_package("review_2002")
    with pytest.raises(ParameterError, match="does not exist"):
        load_package("missing.yaml")


def test_a_region_and_an_la_scale_national_money_but_use_their_own_rates() -> None:
    r, england = run(area="London"), run()
    assert 0.05 < r.scale < 0.2
    # Levers that move no children scale with the area's share of national money and volumes ...
    assert np.allclose(r.levers["kinship_leave"].net[0], england.levers["kinship_leave"].net[0] * r.scale)
    # ... those that act on rates do not: the area's own counterfactual, starts and mix drive them.
    leeds = run(area="Leeds")
    share = leeds.levers["family_help"].cla_reduction[0, -1] / england.levers["family_help"].cla_reduction[0, -1]
    assert abs(share / leeds.scale - 1) > 0.05
