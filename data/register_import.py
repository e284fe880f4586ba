"""The school register from the public files: the GIAS establishment extract and the DfE SEN school file.

Both files are published as CSV text (often Windows-1252). Everything is checked before anything is
returned, and every bad value is reported with its line and column at once (all or nothing), so an LA
data team can fix a file in one pass. Reading bytes only: storing the register is ``data.schools``' job.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import TypeVar

import numpy as np
import pandas as pd

from framework.problems import InvalidInput, Problem

T = TypeVar("T")

MAX_CSV_BYTES = 150 * 1024 * 1024  # the full GIAS extract (every establishment, open or closed) is about 60 MB
REGISTER_COLUMNS = [
    "urn",
    "name",
    "la",
    "phase",
    "type",
    "pupils",
    "fsm_pct",
    "sen_support_pct",
    "ehcp_pct",
    "resourced_provision",
    "region",
    "has_nursery",
    "has_sixth_form",
]
SEN_COLUMNS = ["urn", "sen_pupils", "sen_support_pct", "ehcp_pct", "resourced_provision"]
SCHOOL_TYPES = ("mainstream", "special", "alternative_provision", "utc")
MISSING = frozenset({"", "z", ":", "x", "c", "supp"})  # z not available, : not applicable, SUPP suppressed
URN_PATTERN = re.compile(r"\d{6}")
MAX_PROBLEMS = 1_000  # reading stops here: a file this wrong is the wrong file, and the list stays small
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")

# GIAS TypeOfEstablishment (code) -> our school type. Types not listed (independent schools, FE and HE,
# children's centres, secure units, Welsh and overseas establishments) are not part of the register.
GIAS_TYPES: dict[int, str] = {
    **dict.fromkeys((1, 2, 3, 5, 6, 15, 28, 34, 35, 39, 41, 45, 46), "mainstream"),
    40: "utc",
    **dict.fromkeys((7, 8, 12, 33, 36, 44), "special"),  # 8: non-maintained special, placed in by LAs
    **dict.fromkeys((14, 38, 42, 43), "alternative_provision"),  # 14: pupil referral unit
}
POST_16_TYPES = frozenset({39, 45, 46})  # 16-19 free schools and academies
NURSERY_TYPES = frozenset({15})
# GIAS PhaseOfEducation (code) -> our phase. 0 = not applicable, decided by the type.
GIAS_PHASES: dict[int, str] = {
    1: "early_years",
    2: "primary",
    3: "primary",  # middle deemed primary
    4: "secondary",
    5: "secondary",  # middle deemed secondary
    6: "post_16",
    7: "all_through",
}
# Most pupils in alternative provision are of secondary age, so AP with no phase is read as secondary.
AP_DEFAULT_PHASE = "secondary"
CLOSED_STATUS = "2"  # EstablishmentStatus (code)

GIAS_REQUIRED = {
    "urn": "URN",
    "la": "LA (name)",
    "name": "EstablishmentName",
    "phase_code": "PhaseOfEducation (code)",
    "type_code": "TypeOfEstablishment (code)",
    "pupils": "NumberOfPupils",
    "fsm_pct": "PercentageFSM",
}
GIAS_OPTIONAL = {"region": "GOR (name)", "status": "EstablishmentStatus (code)"}
# school characteristics that decide which questions apply; GIAS writes "Has Nursery Classes" and
# "Has a sixth form" (other values: "No Nursery Classes", "Does not have a sixth form", "Not applicable")
GIAS_OPTIONAL |= {"nursery": "NurseryProvision (name)", "sixth_form": "OfficialSixthForm (name)"}
SEN_REQUIRED = {"urn": "URN", "total": "Total pupils", "support": "SEN support", "ehcp": "EHC plan"}
SEN_OPTIONAL = {"rp_unit": "RP_Unit", "sen_unit": "SEN_Unit"}
FLAG_NO = frozenset({"", "0", "no", "n", "false", "z", ":", "x", "not applicable", "none"})


class _Rows:
    """CSV records with the line each starts on, columns found by name whatever their case or spacing."""

    def __init__(self, data: bytes, source: str, required: dict[str, str], optional: dict[str, str]):
        reader = csv.reader(io.StringIO(_decode(data, source), newline=""))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InvalidInput([_csv_problem(reader, exc)]) from None
        if header is None:
            raise InvalidInput([Problem(source, "the file is empty")])
        found = {_key(name): i for i, name in reversed(list(enumerate(header)))}
        missing = [name for name in required.values() if _key(name) not in found]
        if missing:
            names = ", ".join(f'"{m}"' for m in missing)
            raise InvalidInput([Problem("line 1", f"the header has no column {names}; is this the right file?")])
        wanted = {**required, **optional}
        self.index = {field: found[_key(name)] for field, name in wanted.items() if _key(name) in found}
        self.label = {field: header[i] for field, i in self.index.items()}
        self.width = len(header)
        self._reader = reader
        self.problems: list[Problem] = []

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        line = self._reader.line_num + 1
        while len(self.problems) < MAX_PROBLEMS:
            try:
                record = next(self._reader, None)
            except csv.Error as exc:  # a quote never closed swallows the rest of the file into one field
                self.problems.append(_csv_problem(self._reader, exc, line))
                return
            if record is None:
                return
            start, line = line, self._reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) < self.width:
                self.problems.append(
                    Problem(f"line {start}", f"has {len(record)} values but the header has {self.width} columns")
                )
                continue
            yield start, {field: record[i].strip() for field, i in self.index.items()}

    def check(self, line: int, field: str, value: str, parse: Callable[[str], T]) -> T | None:
        """Parse one value; on failure note a problem at its line and column and return None."""
        try:
            return parse(value)
        except ValueError as exc:
            self.problems.append(Problem(f"line {line}, column {self.label[field]}", str(exc)))
            return None

    def finish(self) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            stopped = self.problems[MAX_PROBLEMS - 1].place.split(",")[0]
            self.problems = [
                *self.problems[:MAX_PROBLEMS],
                Problem(stopped, f"reading stopped after {MAX_PROBLEMS:,} problems; is this the right file?"),
            ]
        if self.problems:
            raise InvalidInput(self.problems)


def _csv_problem(reader: object, exc: csv.Error, start: int | None = None) -> Problem:
    """A CSV syntax error, placed: most often an opening quote that is never closed."""
    line = start or getattr(reader, "line_num", 0) or 1
    reason = str(exc)
    if "field larger than field limit" in reason or "unexpected end of data" in reason or "EOF" in reason:
        reason = 'a quoted value starts here (") and its closing quote is missing, so the rest of the file runs into it'
    elif "NUL" in reason:
        reason = "the line contains a NUL byte, which a CSV text file never has; is this the right file?"
    return Problem(f"line {line}", reason)


def _decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, as GIAS downloads often are."""
    if len(data) > MAX_CSV_BYTES:
        limit = MAX_CSV_BYTES // (1024 * 1024)
        raise InvalidInput([Problem(source, f"the file is larger than {limit} MB; is this the right file?")])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidInput([Problem(source, "the file is UTF-16 text; save it as CSV (UTF-8 or Windows) instead")])
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    mixed = UTF8_SEQUENCE.search(data)
    if mixed is not None:
        line_utf8, line_other = (data.count(b"\n", 0, at) + 1 for at in (mixed.start(), bad_at))
        raise InvalidInput(
            [
                Problem(
                    f"line {line_other}",
                    f"is not UTF-8 text, but line {line_utf8} is: the file mixes two encodings (UTF-8 and, "
                    "probably, Windows-1252), so names would be garbled. Save the whole file again as CSV UTF-8.",
                )
            ]
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(source, "the file is neither UTF-8 nor Windows-1252 text; is it a CSV?")]) from None


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "", name).casefold()


# --- value parsers: each raises ValueError with a sentence for the user ---------------------------


def _urn(text: str) -> str:
    if not URN_PATTERN.fullmatch(text):
        raise ValueError(f'"{text}" is not a URN (6 digits)')
    return text


def _code(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f'"{text}" is not a code number')
    return int(text)


def _required_text(text: str) -> str:
    if not text:
        raise ValueError("is blank")
    return text


def _count(text: str) -> float:
    """A whole number of pupils, or NaN where the file marks it missing."""
    if text.casefold() in MISSING:
        return np.nan
    number = _number(text)
    if number < 0 or not float(number).is_integer():
        raise ValueError(f'"{text}" is not a whole number of pupils')
    return number


def _percent(text: str) -> float:
    if text.casefold() in MISSING:
        return np.nan
    number = _number(text.removesuffix("%"))
    if not 0 <= number <= 100:
        raise ValueError(f'"{text}" is not a percentage between 0 and 100')
    return number


def _number(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f'"{text}" is not a number') from None


def _flag(text: str) -> bool:
    return text.casefold() not in FLAG_NO


# --- the two files ---------------------------------------------------------------------------------


def read_gias_csv(data: bytes, *, source: str = "GIAS file") -> pd.DataFrame:
    """Schools from a GIAS establishment extract: urn, name, la, region, phase, type, pupils, fsm_pct.

    Closed establishments and types outside the register (independent, FE, children's centres...) are
    skipped; every other row must be valid. Extra columns are ignored.
    """
    rows = _Rows(data, source, GIAS_REQUIRED, GIAS_OPTIONAL)
    out: list[dict] = []
    first_line: dict[str, int] = {}
    for line, raw in rows:
        if raw.get("status") == CLOSED_STATUS:
            continue
        type_code = rows.check(line, "type_code", raw["type_code"], _code)
        if type_code is not None and type_code not in GIAS_TYPES:
            continue
        record = {
            "urn": rows.check(line, "urn", raw["urn"], _urn),
            "name": rows.check(line, "name", raw["name"], _required_text),
            "la": rows.check(line, "la", raw["la"], _required_text),
            "region": raw.get("region", ""),
            "pupils": rows.check(line, "pupils", raw["pupils"], _count),
            "fsm_pct": rows.check(line, "fsm_pct", raw["fsm_pct"], _percent),
            "has_nursery": raw.get("nursery", "").casefold().startswith("has"),
            "has_sixth_form": raw.get("sixth_form", "").casefold().startswith("has"),
        }
        if type_code is not None:
            record["type"] = GIAS_TYPES[type_code]
            record["phase"] = rows.check(line, "phase_code", raw["phase_code"], partial(_phase, type_code))
        _note_duplicate(rows, first_line, record["urn"], line)
        out.append(record)
    rows.finish()
    columns = ["urn", "name", "la", "region", "phase", "type", "pupils", "fsm_pct", "has_nursery", "has_sixth_form"]
    frame = pd.DataFrame(out, columns=columns)
    return frame.astype({"pupils": "Int64", "fsm_pct": float, "has_nursery": bool, "has_sixth_form": bool})


def _phase(type_code: int, text: str) -> str:
    """Special, nursery and 16-19 types decide the phase themselves; otherwise the phase code does."""
    phase_code = _code(text)
    school_type = GIAS_TYPES[type_code]
    if school_type == "special":
        return "special"
    if type_code in NURSERY_TYPES:
        return "early_years"
    if type_code in POST_16_TYPES:
        return "post_16"
    if phase_code in GIAS_PHASES:
        return GIAS_PHASES[phase_code]
    if school_type == "alternative_provision" and phase_code == 0:
        return AP_DEFAULT_PHASE
    raise ValueError(f"phase code {phase_code} is not a phase of education for this type of school")


def _note_duplicate(rows: _Rows, first_line: dict[str, int], urn: object, line: int) -> None:
    if not isinstance(urn, str):
        return
    if urn in first_line:
        rows.problems.append(
            Problem(f"line {line}, column {rows.label['urn']}", f"URN {urn} is also on line {first_line[urn]}")
        )
    else:
        first_line[urn] = line


def read_sen_csv(data: bytes, *, source: str = "SEN file") -> pd.DataFrame:
    """Per-school SEN figures from the DfE school-level SEN file: urn, sen_pupils, sen_support_pct,
    ehcp_pct, resourced_provision (an RP or SEN unit). ``z`` and ``:`` mean not available."""
    rows = _Rows(data, source, SEN_REQUIRED, SEN_OPTIONAL)
    out: list[dict] = []
    first_line: dict[str, int] = {}
    for line, raw in rows:
        urn = rows.check(line, "urn", raw["urn"], _urn)
        total = rows.check(line, "total", raw["total"], _count)
        support = rows.check(line, "support", raw["support"], _count)
        ehcp = rows.check(line, "ehcp", raw["ehcp"], _count)
        if (
            total is not None
            and support is not None
            and ehcp is not None
            and not np.isnan((total, support, ehcp)).any()
            and support + ehcp > total
        ):
            rows.problems.append(
                Problem(
                    f"line {line}, column {rows.label['ehcp']}",
                    f"SEN support ({support:g}) plus EHC plan ({ehcp:g}) is more than the total pupils ({total:g})",
                )
            )
        _note_duplicate(rows, first_line, urn, line)
        share = 100.0 / total if total else np.nan  # NaN total stays NaN; no pupils: no percentage
        out.append(
            {
                "urn": urn,
                "sen_pupils": total,
                "sen_support_pct": np.nan if support is None else support * share,
                "ehcp_pct": np.nan if ehcp is None else ehcp * share,
                "resourced_provision": _flag(raw.get("rp_unit", "")) or _flag(raw.get("sen_unit", "")),
            }
        )
    rows.finish()
    frame = pd.DataFrame(out, columns=["urn", "sen_pupils", "sen_support_pct", "ehcp_pct", "resourced_provision"])
    return frame.astype(
        {"sen_pupils": "Int64", "sen_support_pct": float, "ehcp_pct": float, "resourced_provision": bool}
    )


def merge_register(gias: pd.DataFrame, sen: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per GIAS school with its SEN figures joined on URN, in URN order (REGISTER_COLUMNS).

    GIAS decides which schools exist; SEN rows for other URNs are dropped. Pupils come from GIAS, or
    from the SEN census where GIAS has none. Resourced provision is a mainstream flag, so never special.
    """
    if sen is None:
        sen = pd.DataFrame(columns=SEN_COLUMNS)
    merged = gias.merge(sen, on="urn", how="left", validate="one_to_one")
    merged["pupils"] = merged["pupils"].astype("Int64").fillna(merged["sen_pupils"].astype("Int64"))
    flag = merged["resourced_provision"].astype("boolean").fillna(False).astype(bool)
    merged["resourced_provision"] = flag & (merged["type"] != "special")
    merged = merged.astype({"sen_support_pct": float, "ehcp_pct": float})
    return merged.sort_values("urn", kind="stable").reset_index(drop=True)[REGISTER_COLUMNS]


def read_register(gias: tuple[str, bytes], sen: tuple[str, bytes] | None = None) -> pd.DataFrame:
    """Both files (name, bytes) read and checked before anything is stored: every problem in either,
    each placed as ``file, line N, column X``; the page and the CLI both import through here."""
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for key, upload, read in (("gias", gias, read_gias_csv), ("sen", sen, read_sen_csv)):
        if upload is None:
            continue
        name, data = upload
        try:
            frames[key] = read(data, source=name)
        except InvalidInput as exc:
            problems += [Problem(f"{name}, {p.place}", p.message) for p in exc.problems]
    if problems:
        raise InvalidInput(problems)
    return merge_register(frames["gias"], frames.get("sen"))
