"""The one test a vendor writes: the example cryo plugin passes mesosim's conformance suite."""

from mesosim.testing import assert_conformance


def test_conformance():
    assert_conformance("example-cryo")
