"""The one test a vendor writes: the example plugin passes mesosim's conformance suite.

Run it against the installed package: ``python -m pytest plugins/example-vendor/tests``.
"""

from mesosim.testing import assert_conformance


def test_conformance():
    # by entry-point name: loads the installed plugin as `mesosim` does and runs the samples
    # shipped in mesosim_example_vendor/samples/
    assert_conformance("example-microneedle-pen")
