"""Every protocol in protocols/ gives exactly the findings its .expected file lists."""

from __future__ import annotations

import os

import pytest

from mesosim.testing import assert_gallery_file, gallery_files, read_expected

from .conftest import PROTOCOLS

FILES = sorted(gallery_files(PROTOCOLS))


@pytest.mark.parametrize("path", FILES, ids=[os.path.relpath(f, PROTOCOLS) for f in FILES])
def test_gallery_file(path, reg):
    assert_gallery_file(path, reg)


def test_valid_files_have_no_findings():
    for path in FILES:
        if os.sep + "valid" + os.sep in path:
            assert read_expected(path) == [], f"{path}: a valid gallery file expects no finding"


def test_every_expected_file_has_its_protocol():
    for folder, _dirs, files in os.walk(PROTOCOLS):
        for name in files:
            if name.endswith(".expected"):
                assert os.path.exists(os.path.join(folder, name[: -len(".expected")])), name
