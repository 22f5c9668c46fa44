"""How the pages and emails show numbers: never float noise, a dash for the unknown."""

from coldfront_ecs_plugin.services.display import percent_text, tb_text, to_float


def test_how_numbers_are_shown():
    assert tb_text(0.0004) == "< 0.001 TB" and tb_text(-0.0004, unit=False) == "> -0.001"
    assert (percent_text(5, 100), percent_text(42, 100), percent_text(1, 0), percent_text(None, 1)) == (
        "5.0 %",
        "42 %",
        "—",
        "—",
    )
    assert (to_float("2.5"), to_float(None), to_float("lots"), to_float("nan"), to_float("inf")) == (
        2.5,
        None,
        None,
        None,
        None,
    )
