import pytest

from tracker.bands import normalise_band


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8a", "8a"),
        ("8A", "8a"),
        ("Band 8a", "8a"),
        ("AfC 8a", "8a"),
        ("afc band 8D", "8d"),
        ("Band 5", "5"),
        (5, "5"),
        (7.0, "7"),
        ("9", "9"),
        ("VSM", "VSM"),
        ("vsm", "VSM"),
        ("Very Senior Manager", "VSM"),
        ("ESM 2", "ESM2"),
        ("esm-4", "ESM4"),
        ("Medical", "medical"),
        ("Other", "other"),
    ],
)
def test_typed_bands_are_normalised(typed, stored):
    assert normalise_band(typed) == stored


@pytest.mark.parametrize("typed", ["", None, "8e", "10", "Band 0", "ESM 5", "manager", "8"])
def test_unknown_bands_are_refused_with_the_accepted_forms(typed):
    with pytest.raises(ValueError, match="band"):
        normalise_band(typed)
