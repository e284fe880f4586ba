"""Reading the GIAS extract and the DfE SEN school file into the register: all or nothing, every problem placed."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data import register_import
from data.register_import import REGISTER_COLUMNS, merge_register, read_gias_csv, read_sen_csv
from framework.problems import InvalidInput, Problem

GIAS_HEADER = (
    "URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (code),PhaseOfEducation (code),"
    "PhaseOfEducation (name),NumberOfPupils,PercentageFSM,GOR (name),EstablishmentStatus (code),Website"
)


def gias(*rows: str, header: str = GIAS_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


GOOD_GIAS = gias(
    "100001,201,Camden,St Mary’s Primary School,1,2,Primary,210,23.4,London,1,x.example",
    "100002,201,Camden,Camden Academy,34,4,Secondary,1050,18,London,1,",
    "100003,201,Camden,Hill Special School,44,0,Not applicable,120,55.1,London,1,",
    '100004,201,Camden,"Harbour PRU, Camden",14,0,Not applicable,40,SUPP,London,1,',
    "100005,201,Camden,Little Acorns Nursery School,15,1,Nursery,80,,London,1,",
    "100006,201,Camden,Camden Sixth Form Academy,45,6,16 plus,600,12.5,London,1,",
    "100007,201,Camden,Camden All-through Academy,28,7,All-through,1500,30,London,1,",
    "100008,201,Camden,Camden UTC,40,4,Secondary,500,20,London,1,",
    "100009,201,Camden,Private Prep School,11,2,Primary,300,,London,1,",  # independent: not in the register
    "100010,201,Camden,Closed Primary School,1,2,Primary,99,10,London,2,",  # closed: skipped
    "100011,201,Camden,Café Primary School,2,3,Middle deemed primary,,,London,4,",
)


def test_good_gias_file_gives_one_row_per_open_school_with_our_phases_and_types():
    frame = read_gias_csv(GOOD_GIAS.encode("utf-8")).set_index("urn")
    assert list(frame.index) == [
        "100001",
        "100002",
        "100003",
        "100004",
        "100005",
        "100006",
        "100007",
        "100008",
        "100011",
    ]
    assert frame["phase"].to_dict() == {
        "100001": "primary",
        "100002": "secondary",
        "100003": "special",
        "100004": "secondary",  # AP with no phase of its own
        "100005": "early_years",
        "100006": "post_16",
        "100007": "all_through",
        "100008": "secondary",
        "100011": "primary",
    }
    assert frame.loc["100003", "type"] == "special"
    assert frame.loc["100004", "type"] == "alternative_provision"
    assert frame.loc["100008", "type"] == "utc"
    assert frame.loc["100001", "type"] == "mainstream"
    assert frame.loc["100001", "name"] == "St Mary’s Primary School"
    assert frame.loc["100004", "name"] == "Harbour PRU, Camden"
    assert frame.loc["100001", "pupils"] == 210
    assert frame.loc["100001", "fsm_pct"] == pytest.approx(23.4)
    assert math.isnan(frame.loc["100004", "fsm_pct"])  # SUPP
    assert pd.isna(frame.loc["100011", "pupils"])
    assert frame.loc["100001", "region"] == "London"


def test_windows_1252_and_byte_order_mark_are_both_read():
    from_cp1252 = read_gias_csv(GOOD_GIAS.encode("cp1252"))
    from_bom = read_gias_csv(b"\xef\xbb\xbf" + GOOD_GIAS.encode("utf-8"))
    assert from_cp1252.equals(from_bom)
    assert "Café Primary School" in set(from_cp1252["name"])


def test_every_bad_gias_value_is_reported_with_its_line_and_column():
    text = gias(
        "100001,201,Camden,Good Primary,1,2,Primary,210,23.4,London,1,",
        "12345,201,Camden,Short URN Primary,1,2,Primary,210,23.4,London,1,",
        "100003,201,Camden,Wordy Primary,1,2,Primary,lots,23.4,London,1,",
        "100004,201,Camden,Greedy Primary,1,2,Primary,210,140,London,1,",
        "100005,201,Camden,Phaseless Primary,1,0,Not applicable,210,23.4,London,1,",
        "100001,201,Camden,Twin Primary,1,2,Primary,210,23.4,London,1,",
        '100007,201,Camden,"",1,2,Primary,210,23.4,London,1,',
        "100008,201,Camden,Mystery School,abc,2,Primary,210,23.4,London,1,",
        '100009,201,Camden,"Two-line',
        'Primary",1,2,Primary,-5,23.4,London,1,',
        "100010,201,Camden,Short row",
    )
    with pytest.raises(InvalidInput) as caught:
        read_gias_csv(text.encode("utf-8"))
    assert [p.place for p in caught.value.problems] == [
        "line 3, column URN",
        "line 4, column NumberOfPupils",
        "line 5, column PercentageFSM",
        "line 6, column PhaseOfEducation (code)",
        "line 7, column URN",
        "line 8, column EstablishmentName",
        "line 9, column TypeOfEstablishment (code)",
        "line 10, column NumberOfPupils",  # the record that starts on line 10 and runs onto line 11
        "line 12",
    ]
    messages = {p.place: p.message for p in caught.value.problems}
    assert messages["line 3, column URN"] == '"12345" is not a URN (6 digits)'
    assert messages["line 7, column URN"] == "URN 100001 is also on line 2"
    assert messages["line 5, column PercentageFSM"] == '"140" is not a percentage between 0 and 100'


def test_a_missing_column_is_reported_on_the_header_line():
    header = GIAS_HEADER.replace(",PercentageFSM", "")
    with pytest.raises(InvalidInput) as caught:
        read_gias_csv(gias("100001,201,Camden,A School,1,2,Primary,210,London,1,", header=header).encode())
    assert caught.value.problems == [
        Problem("line 1", 'the header has no column "PercentageFSM"; is this the right file?')
    ]


def test_a_file_over_the_size_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(register_import, "MAX_CSV_BYTES", 100)
    with pytest.raises(InvalidInput, match="larger than"):
        read_gias_csv(GOOD_GIAS.encode())


def test_bytes_that_are_not_text_are_refused():
    with pytest.raises(InvalidInput, match="UTF-16"):
        read_gias_csv(GOOD_GIAS.encode("utf-16"))
    with pytest.raises(InvalidInput, match="neither UTF-8 nor Windows-1252"):
        read_gias_csv(b"URN\n\x81\x8d\x90\n")


SEN_FILE = (
    "time_period,urn,la_name,phase_type_grouping,Total  pupils,SEN_support,ehc plan,RP_Unit,SEN_Unit\n"
    "202425,100001,Camden,State-funded primary,200,30,6,,\n"
    "202425,100002,Camden,State-funded secondary,1000,120,z,Resourced provision,\n"
    "202425,100003,Camden,State-funded special school,120,0,120,,SEN unit\n"
    "202425,100004,Camden,State-funded AP school,:,:,:,,\n"
    "202425,100099,Elsewhere,State-funded primary,50,5,1,,\n"
)


def test_sen_file_gives_percentages_and_provision_flags_whatever_the_header_case_and_spacing():
    frame = read_sen_csv(SEN_FILE.encode()).set_index("urn")
    assert frame.loc["100001", "sen_support_pct"] == pytest.approx(15.0)
    assert frame.loc["100001", "ehcp_pct"] == pytest.approx(3.0)
    assert math.isnan(frame.loc["100002", "ehcp_pct"])  # z: not available
    assert math.isnan(frame.loc["100004", "sen_support_pct"])  # ":" not applicable
    assert frame["resourced_provision"].to_dict() == {
        "100001": False,
        "100002": True,
        "100003": True,
        "100004": False,
        "100099": False,
    }


def test_bad_sen_counts_are_reported_with_their_places():
    text = (
        "URN,Total pupils,SEN support,EHC plan\n"
        "100001,200,30,6\n"
        "100002,100,90,20\n"  # more pupils with SEN than on roll
        "100003,100,3.5,1\n"
        "100004,many,1,1\n"
        "100001,200,30,6\n"
    )
    with pytest.raises(InvalidInput) as caught:
        read_sen_csv(text.encode())
    assert [str(p) for p in caught.value.problems] == [
        "line 3, column EHC plan: SEN support (90) plus EHC plan (20) is more than the total pupils (100)",
        'line 4, column SEN support: "3.5" is not a whole number of pupils',
        'line 5, column Total pupils: "many" is not a number',
        "line 6, column URN: URN 100001 is also on line 2",
    ]


def test_merged_register_has_every_gias_school_with_its_sen_figures():
    register = merge_register(read_gias_csv(GOOD_GIAS.encode()), read_sen_csv(SEN_FILE.encode()))
    assert list(register.columns) == REGISTER_COLUMNS
    assert register["urn"].is_unique and register["urn"].is_monotonic_increasing
    assert "100099" not in set(register["urn"])  # in the SEN file only
    rows = register.set_index("urn")
    assert rows.loc["100001", "sen_support_pct"] == pytest.approx(15.0)
    assert bool(rows.loc["100002", "resourced_provision"]) is True
    assert bool(rows.loc["100003", "resourced_provision"]) is False  # a special school is not "resourced provision"
    assert math.isnan(rows.loc["100005", "ehcp_pct"])  # no SEN row
    assert bool(rows.loc["100005", "resourced_provision"]) is False


def test_pupils_come_from_the_sen_census_when_gias_has_none():
    gias_frame = read_gias_csv(gias("100001,201,Camden,A Primary,1,2,Primary,,23.4,London,1,").encode())
    sen_frame = read_sen_csv(b"URN,Total pupils,SEN support,EHC plan\n100001,187,20,4\n")
    assert merge_register(gias_frame, sen_frame).loc[0, "pupils"] == 187


def test_register_without_a_sen_file_has_blank_sen_figures():
    register = merge_register(read_gias_csv(GOOD_GIAS.encode()))
    assert list(register.columns) == REGISTER_COLUMNS
    assert register["sen_support_pct"].isna().all()
    assert not register["resourced_provision"].any()


def test_nursery_classes_and_a_sixth_form_are_read_from_gias_when_it_has_them():
    header = GIAS_HEADER + ",NurseryProvision (name),OfficialSixthForm (name)"
    data = gias(
        "100001,201,Camden,Acorn Primary,1,2,Primary,210,23.4,London,1,,Has Nursery Classes,Not applicable",
        "100002,201,Camden,Oak Primary,1,2,Primary,210,23.4,London,1,,No Nursery Classes,Not applicable",
        "100003,201,Camden,Camden Academy,34,4,Secondary,1050,18,London,1,,No Nursery Classes,Has a sixth form",
        "100004,201,Camden,Elm Academy,34,4,Secondary,900,18,London,1,,Not applicable,Does not have a sixth form",
        header=header,
    )
    frame = read_gias_csv(data.encode("utf-8")).set_index("urn")
    assert frame["has_nursery"].tolist() == [True, False, False, False]
    assert frame["has_sixth_form"].tolist() == [False, False, True, False]
    without = read_gias_csv(GOOD_GIAS.encode("utf-8"))
    assert not without["has_nursery"].any() and not without["has_sixth_form"].any()
    assert list(merge_register(frame.reset_index()).columns) == REGISTER_COLUMNS


# --- hostile and broken files (issue #10): a located problem, never a traceback or a runaway -----------


def test_an_unterminated_quote_is_a_located_problem_not_a_traceback():
    long_tail = "\n".join(f"1000{i:02d},201,Camden,School {i},1,2,Primary,210,23.4,London,1," for i in range(99))
    text = gias('100001,201,Camden,"Unclosed Primary,1,2,Primary,210,23.4,London,1,', long_tail * 40)
    with pytest.raises(InvalidInput) as caught:
        read_gias_csv(text.encode())
    assert caught.value.problems == [
        Problem(
            "line 2",
            'a quoted value starts here (") and its closing quote is missing, so the rest of the file runs into it',
        )
    ]


def test_a_file_mixing_utf8_and_windows_1252_is_refused_with_its_lines():
    data = gias(
        "100001,201,Camden,Café Primary School,1,2,Primary,210,23.4,London,1,",
        "100002,201,Camden,Crème Academy,34,4,Secondary,1050,18,London,1,",
    ).encode("utf-8")
    data = data.replace("Crème".encode(), "Crème".encode("cp1252"))  # line 3 saved by another program
    with pytest.raises(InvalidInput) as caught:
        read_gias_csv(data)
    (problem,) = caught.value.problems
    assert problem.place == "line 3" and "line 2 is" in problem.message and "mixes two encodings" in problem.message


def test_a_file_of_bad_rows_stops_after_a_thousand_problems_and_the_list_shown_is_capped():
    from framework.problems import MAX_SHOWN, capped

    rows = [f"10{i:04d},201,Camden,School {i},1,2,Primary,lots,23.4,London,1," for i in range(5000)]
    with pytest.raises(InvalidInput) as caught:
        read_gias_csv(gias(*rows).encode())
    problems = caught.value.problems
    assert len(problems) == register_import.MAX_PROBLEMS + 1
    assert "reading stopped after 1,000 problems" in problems[-1].message
    shown = capped(problems)
    assert len(shown) == MAX_SHOWN + 1 and shown[-1].message == "… and 801 more problems"
