"""Participation totals per site (live/core/participation.py): whole numbers, groups within the
total, empty meaning "not counted", and the province's sums."""

from __future__ import annotations

import pytest

from live.core import participation
from live.core.errors import DomainError
from live.core.questions import GROUP_LABELS


def test_the_sensitive_groups_are_counted_as_totals_and_never_asked_per_person():
    categories = dict(participation.CATEGORIES)
    for sensitive in ("dan_toc_thieu_so", "ton_giao", "khuyet_tat"):
        assert sensitive in categories and sensitive not in GROUP_LABELS


def test_typed_totals_become_numbers_and_empty_means_not_counted():
    found = participation.counts({"total": " 1.250 ", "cong_nhan": "300", "dan_toc_thieu_so": "0", "ton_giao": ""})
    assert found["total"] == 1250 and found["cong_nhan"] == 300 and found["dan_toc_thieu_so"] == 0
    assert found["ton_giao"] is None and found["khuyet_tat"] is None


@pytest.mark.parametrize("typed", ["-3", "12a", "1e3", "٣", "100001", "3,5", "<b>7</b>"])
def test_anything_but_a_whole_number_is_refused_naming_the_field(typed):
    with pytest.raises(DomainError) as refused:
        participation.counts({"total": "50", "cong_nhan": typed})
    assert refused.value.code == "participation.bad_number" and refused.value.params["category"] == "cong_nhan"


def test_a_group_larger_than_the_total_is_refused_but_groups_may_overlap():
    with pytest.raises(DomainError) as refused:
        participation.counts({"total": "50", "khuyet_tat": "51"})
    assert refused.value.code == "participation.more_than_total"
    overlapping = participation.counts({"total": "50", "cong_nhan": "40", "dan_toc_thieu_so": "30"})
    assert overlapping["cong_nhan"] + overlapping["dan_toc_thieu_so"] > overlapping["total"]
    assert participation.counts({"cong_nhan": "40"})["cong_nhan"] == 40  # no total counted: nothing to compare


def test_the_province_sums_what_each_site_counted():
    sites = [
        {"id": "1304", "name": "Xã Quảng Lâm"},
        {"id": "1297", "name": "Xã Nậm Kè"},
        {"id": "hall", "name": "Hội trường"},
    ]
    docs = {
        participation.key("1304"): {"counts": {"total": 120, "dan_toc_thieu_so": 80}, "at": 5.0, "by": "Hà"},
        participation.key("1297"): {"counts": {"total": 60, "dan_toc_thieu_so": None}, "at": 6.0, "by": ""},
    }
    rows, sums = participation.table(sites, docs)
    assert [r["site"]["id"] for r in rows] == ["1304", "1297", "hall"]
    assert rows[2]["counts"]["total"] is None and rows[2]["at"] is None
    assert (sums["total"], sums["dan_toc_thieu_so"], sums["cong_nhan"]) == (180, 80, 0)
