"""Theme files: every shipped theme is valid, bad files give one line and are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import Static

from fgtop.ui.themes import (
    STATUS_KEYS,
    FgtopTheme,
    ThemeError,
    as_fgtop_theme,
    available_themes,
    load_theme_file,
    next_theme_name,
    register_themes,
    resolve_theme,
    shipped_themes_dir,
    status_key,
    theme_variable_defaults,
)

SHIPPED = sorted(shipped_themes_dir().glob("*.toml"))
MINIMAL = """\
name = "mine"
dark = true
primary = "#112233"
secondary = "#223344"
accent = "#334455"
foreground = "#eeeeee"
background = "#000000"
surface = "#111111"
panel = "#222222"
success = "#00ff00"
warning = "#ffff00"
error = "#ff0000"
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_at_least_five_themes_are_shipped_including_the_required_ones() -> None:
    names = {load_theme_file(path).name for path in SHIPPED}
    assert len(names) >= 5
    assert {"fgtop-dark", "fgtop-light", "high-contrast", "colorblind"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_theme_is_complete_and_textual_accepts_it(path: Path) -> None:
    theme = load_theme_file(path)
    assert isinstance(theme, Theme)
    assert theme.name == path.stem
    assert set(theme.status) == set(STATUS_KEYS) and set(theme.glyphs) == set(STATUS_KEYS)
    # status is never colour alone: the main statuses have distinct glyphs
    assert len({theme.glyphs[k] for k in ("running", "pending", "stopped", "failed")}) == 4
    raw = path.read_text(encoding="utf-8")
    assert "[status]" in raw and "[glyphs]" in raw  # shipped themes spell every status out
    system = theme.to_color_system()  # raises on a colour Textual cannot parse
    variables = system.generate()
    assert variables["primary"].lower() == theme.primary.lower()
    assert theme.variables["status-running"] == theme.status["running"]


async def test_registered_themes_apply_in_an_app() -> None:
    themes = available_themes()

    class Themed(App[None]):
        CSS = "#s { color: $status-failed; }"

        def get_theme_variable_defaults(self) -> dict[str, str]:
            return theme_variable_defaults()

        def compose(self) -> ComposeResult:
            yield Static("x", id="s")

    app = Themed()
    async with app.run_test() as pilot:
        register_themes(app, themes)
        for name, theme in themes.items():
            app.theme = name
            await pilot.pause()
            colour = app.query_one("#s").styles.color
            assert colour.hex.lower() == theme.status["failed"], name
        app.theme = "textual-dark"  # a built-in theme still has the status variables
        await pilot.pause()
        assert app.query_one("#s").styles.color.hex.lower() == "#ba3c5b"


def test_colorblind_theme_uses_okabe_ito_and_distinct_shapes() -> None:
    theme = load_theme_file(shipped_themes_dir() / "colorblind.toml")
    okabe_ito = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}
    colours = {theme.status[k] for k in ("running", "pending", "failed", "healthy", "unhealthy")}
    assert colours <= okabe_ito
    assert len(set(theme.glyphs.values())) == len(STATUS_KEYS)


def test_minimal_user_theme_gets_derived_status_colours_and_default_glyphs(tmp_path: Path) -> None:
    theme = load_theme_file(write(tmp_path, "mine.toml", MINIMAL))
    assert theme.status["running"] == "#00ff00" and theme.status["failed"] == "#ff0000"
    assert theme.glyph("RUNNING") == "●" and theme.glyph("STOPPED") == "○"
    assert theme.boost is None and theme.path == tmp_path / "mine.toml"


def test_status_text_pairs_glyph_word_and_colour_without_markup() -> None:
    theme = load_theme_file(shipped_themes_dir() / "fgtop-dark.toml")
    text = theme.status_text("UNHEALTHY")
    assert text.plain == f"{theme.glyphs['unhealthy']} UNHEALTHY"
    assert str(text.style.color.triplet.hex).lower() == theme.status["unhealthy"]
    assert theme.status_text("Running", label="[b]evil[/b]").plain.endswith("[b]evil[/b]")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("RUNNING", "running"),
        ("PROVISIONING", "pending"),
        ("DEPROVISIONING", "pending"),
        ("STOPPED", "stopped"),
        ("Succeeded", "stopped"),
        ("Failed", "failed"),
        ("HEALTHY", "healthy"),
        ("UNHEALTHY", "unhealthy"),
        ("whatever", "unknown"),
    ],
)
def test_status_key_maps_raw_statuses(raw: str, key: str) -> None:
    assert status_key(raw) == key


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (
            lambda t: t.replace('primary = "#112233"', 'primary = "red"'),
            [":3:", "primary", '"red"'],
        ),
        (lambda t: t.replace('error = "#ff0000"\n', ""), ['missing key "error"']),
        (lambda t: t.replace("dark = true", "dark = 1"), [":2:", "dark must be true or false"]),
        (lambda t: t + "primay = '#000000'\n", [":13:", 'unknown key "primay"', '"primary"']),
        (lambda t: t + "[status]\nrunning = 'green'\n", [":14:", "status.running", '"green"']),
        (lambda t: t + "[status]\nrunnin = '#000000'\n", [":14:", "unknown status key", "running"]),
        (lambda t: t + "[glyphs]\nrunning = 'RUN!'\n", [":14:", "glyphs.running"]),
        (lambda t: t + "[glyphs]\npending = '●'\n", ["must all differ"]),
        (lambda t: t + "status = 'x'\n", ["status must be a table"]),
        (lambda t: t.replace('"mine"', '"My Theme"'), ["name must be"]),
        (lambda t: t.replace('accent = "#334455"', 'accent = "#3344'), [":5:", "invalid TOML"]),
    ],
)
def test_bad_theme_file_gives_one_line(tmp_path: Path, edit, fragments: list[str]) -> None:
    path = write(tmp_path, "mine.toml", edit(MINIMAL))
    with pytest.raises(ThemeError) as err:
        load_theme_file(path)
    message = str(err.value)
    assert message.startswith("mine.toml") and "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_bad_user_theme_is_skipped_with_its_error_and_good_ones_load(tmp_path: Path) -> None:
    user = tmp_path / "themes"
    write(user, "broken.toml", "name = 'broken'\nprimary = \n")
    write(user, "mine.toml", MINIMAL)
    write(user, "notatheme.txt", "ignored")
    errors: list[str] = []
    themes = available_themes(user, errors)
    assert next(iter(themes)) == "fgtop-dark"
    assert "mine" in themes and "broken" not in themes
    assert {p.stem for p in SHIPPED} <= set(themes)
    assert len(errors) == 1 and errors[0].startswith("theme broken.toml:2:")
    # and the app falls back to the default for it
    assert resolve_theme("broken", list(themes)) == (
        "fgtop-dark",
        'unknown theme "broken"; using fgtop-dark',
    )


def test_user_themes_come_from_the_config_folder_and_can_replace_shipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    write(tmp_path / "fgtop" / "themes", "x.toml", MINIMAL.replace('"mine"', '"fgtop-light"'))
    themes = available_themes()
    assert themes["fgtop-light"].primary == "#112233"
    assert themes["fgtop-light"].path == tmp_path / "fgtop" / "themes" / "x.toml"


def test_resolve_and_cycle() -> None:
    names = ["fgtop-dark", "fgtop-light", "colorblind"]
    assert resolve_theme(None, names) == ("fgtop-dark", None)
    assert resolve_theme("colorblind", names) == ("colorblind", None)
    name, error = resolve_theme("fgtop-lite", names)
    assert name == "fgtop-dark" and error is not None and 'did you mean "fgtop-light"' in error
    assert next_theme_name("fgtop-dark", names) == "fgtop-light"
    assert next_theme_name("colorblind", names) == "fgtop-dark"
    assert next_theme_name("textual-dark", names) == "fgtop-dark"
    assert next_theme_name("x", []) == "x"


def test_builtin_textual_theme_gets_status_colours_and_glyphs() -> None:
    theme = as_fgtop_theme(BUILTIN_THEMES["nord"])
    assert isinstance(theme, FgtopTheme) and theme.name == "nord"
    assert theme.status["failed"] == BUILTIN_THEMES["nord"].error
    assert theme.glyph("FAILED") == "✖"
    assert theme.variables["status-failed"] == BUILTIN_THEMES["nord"].error
    shipped = load_theme_file(SHIPPED[0])
    assert as_fgtop_theme(shipped) is shipped
