"""Hand-kept CSV files are UTF-8 and comma-separated, or refused in one line (issue 24, item 6).

A council feed, the targets file, the measures catalogue and the area-fact files
are decoded strictly: a Windows-1252 byte, a UTF-16 file or a file separated by
semicolons or tabs stops with one line naming the file, the line, the byte and
the encodings accepted, never a guess that turns every "£" into "Â£" and never
an internal error.
"""

import pytest
from helpers import FIXTURE_RELEASE

from analysis_helpers.cli import main
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data.area_facts import read_area_notes, read_milestones
from analysis_helpers.data.council_measures import catalogue
from analysis_helpers.data.local_feed import REQUIRED, validate_feed
from analysis_helpers.domain.targets import read_targets

HEADER = ",".join(REQUIRED)
POUNDS = "high_needs_deficit_gbp_m,2021/22,£97m,gbp_m,cumulative,,,,KCC,https://www.kent.gov.uk/x"
GOOD = "ehcp_issued_within_20_weeks_pct,2023-06,13.2,pct,monthly,,,,KCC minutes,https://democracy.kent.gov.uk/x"
ACCEPTED = 'the encodings accepted are UTF-8, with or without a byte-order mark: save it from Excel as "CSV UTF-8 (Comma delimited)"'


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def validate(capsys, path):
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def refused_with(code, out, err, message):
    assert (code, out, err) == (2, "", f"send-review: error: {message}\n")


def test_a_cp1252_feed_is_refused_naming_line_and_byte(tmp_path, capsys):
    path = write(tmp_path / "kent.csv", f"{HEADER}\n{GOOD}\n{POUNDS}\n".encode("cp1252"))
    refused_with(*validate(capsys, path), f"kent.csv: line 3: byte 0xA3 ('£' in Windows-1252) is not UTF-8; {ACCEPTED}")


def test_one_stray_byte_in_a_utf8_feed_is_refused_not_read_as_cp1252(tmp_path, capsys):
    """UTF-8 "£" on line 2 and one Windows-1252 "é" on line 4: before, every "£" became "Â£" with 0 problems."""
    stray = GOOD.replace("KCC minutes", "Caf\xe9 minutes").encode("cp1252")
    path = write(tmp_path / "kent.csv", f"{HEADER}\n{POUNDS}\n{GOOD}\n".encode() + stray + b"\n")
    with pytest.raises(DataValidationError) as raised:
        validate_feed(path)
    assert str(raised.value) == f"kent.csv: line 4: byte 0xE9 ('é' in Windows-1252) is not UTF-8; {ACCEPTED}"
    refused_with(*validate(capsys, path), str(raised.value))


def test_a_byte_undefined_in_cp1252_is_one_line_not_an_internal_error(tmp_path, capsys):
    path = write(tmp_path / "kent.csv", f"{HEADER}\n".encode() + GOOD.replace("KCC", "K\x81C").encode("latin-1") + b"\n")
    refused_with(*validate(capsys, path), f"kent.csv: line 2: byte 0x81 is not UTF-8; {ACCEPTED}")


@pytest.mark.parametrize(("encoding", "said"), [
    ("utf-16", "line 1: bytes FF FE begin UTF-16 text, not UTF-8"),       # Excel's "Unicode Text": little-endian with a BOM
    ("utf-16-be", "line 1: the file is UTF-16 text (NUL bytes between the letters), not UTF-8"),
    ("utf-16-le", "line 1: the file is UTF-16 text (NUL bytes between the letters), not UTF-8"),
])
def test_a_utf16_feed_is_named_as_utf16_in_one_line(tmp_path, capsys, encoding, said):
    path = write(tmp_path / "kent.csv", f"{HEADER}\n{GOOD}\n".encode(encoding))
    refused_with(*validate(capsys, path), f"kent.csv: {said}; {ACCEPTED}")


def test_a_big_endian_utf16_bom_is_named(tmp_path, capsys):
    path = write(tmp_path / "kent.csv", b"\xfe\xff" + f"{HEADER}\n{GOOD}\n".encode("utf-16-be"))
    refused_with(*validate(capsys, path), f"kent.csv: line 1: bytes FE FF begin UTF-16 text, not UTF-8; {ACCEPTED}")


def test_a_nul_byte_in_an_otherwise_utf8_feed_is_named(tmp_path, capsys):
    path = write(tmp_path / "kent.csv", f"{HEADER}\n{GOOD}\n{GOOD}\n".encode().replace(b"13.2", b"13\x002", 2))
    refused_with(*validate(capsys, path), f"kent.csv: line 2: byte 0x00 (NUL) is not UTF-8; {ACCEPTED}")


@pytest.mark.parametrize(("mark", "word"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_feed_separated_by_semicolons_or_tabs_is_named_as_such(tmp_path, capsys, mark, word):
    path = write(tmp_path / "kent.csv", f"{HEADER}\n{GOOD}\n".replace(",", mark).encode("utf-8-sig"))
    refused_with(*validate(capsys, path),
                 f'kent.csv: line 1: the file is separated by {word}, not commas; save it from Excel as "CSV UTF-8 (Comma delimited)"')


def test_utf8_with_a_bom_and_crlf_reads_every_pound_sign(tmp_path):
    path = write(tmp_path / "kent.csv", f"{HEADER}\r\n{POUNDS}\r\n".encode("utf-8-sig"))
    frame, problems, notes = validate_feed(path)
    assert problems == [] and frame["value"].tolist() == [97.0] and notes == ["kent.csv: row 2: value '£97m' read as 97"]


def test_a_run_given_a_cp1252_feed_stops_with_exit_2(tmp_path, capsys):
    path = write(tmp_path / "kent.csv", f"{HEADER}\n{POUNDS}\n".encode("cp1252"))
    code = main(["kpis", "--area", "Kent", "--local", str(path), "--release", str(FIXTURE_RELEASE), "--format", "csv"])
    out, err = capsys.readouterr()
    refused_with(code, out, err, f"kent.csv: line 2: byte 0xA3 ('£' in Windows-1252) is not UTF-8; {ACCEPTED}")


# -- the other hand-kept files share the reader ----------------------------------------------------
TARGETS_HEADER = "target_id,area,measure"
NOTES_HEADER = "area,section,text,source_title,source_url"


def test_a_targets_file_in_cp1252_is_one_line(tmp_path):
    path = write(tmp_path / "targets.csv", f"{TARGETS_HEADER}\nx,Kent,caf\xe9\n".encode("cp1252"))
    with pytest.raises(DataValidationError) as raised:
        read_targets(path)
    assert str(raised.value) == f"targets.csv: line 2: byte 0xE9 ('é' in Windows-1252) is not UTF-8; {ACCEPTED}"


def test_a_measures_catalogue_with_a_0x81_byte_is_one_line(tmp_path):
    path = write(tmp_path / "measures.csv", b"measure,label,unit,higher_is_better,description\nx_pct,X\x81,pct,true,\n")
    with pytest.raises(DataValidationError) as raised:
        catalogue(path)
    assert str(raised.value) == f"measures.csv: line 2: byte 0x81 is not UTF-8; {ACCEPTED}"


def test_area_notes_in_utf16_are_one_line(tmp_path):
    path = write(tmp_path / "area_notes.csv", f"{NOTES_HEADER}\nKent,context,Note,T,https://x.gov.uk\n".encode("utf-16"))
    with pytest.raises(DataValidationError) as raised:
        read_area_notes(path)
    assert str(raised.value) == f"area_notes.csv: line 1: bytes FF FE begin UTF-16 text, not UTF-8; {ACCEPTED}"


def test_milestones_separated_by_semicolons_are_one_line(tmp_path):
    path = write(tmp_path / "milestones.csv", b"area;months;from_date;event;source_title;source_url\nKent;3;2023-03-01;x;t;u\n")
    with pytest.raises(DataValidationError) as raised:
        read_milestones(path)
    assert str(raised.value) == ('milestones.csv: line 1: the file is separated by semicolons, not commas; '
                                 'save it from Excel as "CSV UTF-8 (Comma delimited)"')
