"""Config file loading: defaults, values, bad files with key and line, CLI overrides."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from fgtop.config import (
    CONFIG_KEYS,
    Config,
    ConfigError,
    config_keys_markdown,
    default_config_path,
    key_line,
    load_config,
    merge_cli,
)
from fgtop.errors import SetupError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from config_table import readme_table  # noqa: E402

GOOD = """\
# fgtop config
regions = ["eu-west-1", "us-east-1"]
profile = "prod"
contexts = ["prod-eks"]
eks = true
refresh = 10
api_budget = 2.5
theme = "colorblind"
log_buffer = 500
include_ec2 = true
all_pods = true
default_alerts = false
headroom = 0.7
metrics_window = "15m"

[[alerts]]
kind = "cpu"
above = 90
minutes = 5

[[alerts]]
kind = "below_desired"
minutes = 3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_missing_default_file_gives_defaults() -> None:
    assert not default_config_path().exists()
    config = load_config()
    assert config == Config()
    assert config.refresh == 5.0 and config.theme == "fgtop-dark" and config.log_buffer == 10000


def test_default_path_follows_xdg_config_home(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "xdg" / "fgtop" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("refresh = 7\n")
    assert default_config_path() == path
    assert load_config().refresh == 7.0


def test_every_key_is_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.regions == ["eu-west-1", "us-east-1"]
    assert config.profile == "prod"
    assert config.contexts == ["prod-eks"]
    assert config.eks is True and config.include_ec2 is True and config.all_pods is True
    assert config.refresh == 10.0 and isinstance(config.refresh, float)
    assert config.api_budget == 2.5
    assert config.theme == "colorblind"
    assert config.log_buffer == 500
    assert config.default_alerts is False
    assert config.headroom == 0.7
    assert config.metrics_window == 900
    assert config.alerts == [
        {"kind": "cpu", "above": 90, "minutes": 5},
        {"kind": "below_desired", "minutes": 3},
    ]
    assert config.alert_lines == [16, 21]
    assert config.source == tmp_path / "config.toml"


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.refresh = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        (
            'regions = ["eu-west-1"]\nrefresh = "fast"\n',
            2,
            ['refresh must be a number >= 1, got "fast"'],
        ),
        ("refresh = 0.5\n", 1, ["refresh must be a number >= 1, got 0.5"]),
        ("\n\nrefresh = true\n", 3, ["refresh must be a number", "got true"]),
        ("log_buffer = 50\n", 1, ["log_buffer must be a whole number >= 100, got 50"]),
        ("log_buffer = 500.5\n", 1, ["log_buffer must be a whole number"]),
        ('theme = "x"\nregions = ["eu-west1"]\n', 2, ["regions must be", '"eu-west1" is not one']),
        (
            'refresh = 5\nregions = "us-east-1"\n',
            2,
            ['regions must be a list, got "us-east-1" (write regions = ["us-east-1"])'],
        ),
        (
            'contexts = "a,b"\n',
            1,
            ['contexts must be a list, got "a,b" (write contexts = ["a", "b"])'],
        ),
        ("regions = [1, 2]\n", 1, ["regions must be a list of strings, got [1, 2]"]),
        ('eks = "yes"\n', 1, ['eks must be true or false, got "yes"']),
        ("api_budget = 0\n", 1, ["api_budget must be a number > 0"]),
        ("headroom = 1.5\n", 1, ["headroom must be a number > 0 and <= 1, got 1.5"]),
        ('metrics_window = "forever"\n', 1, ["metrics_window must be a duration"]),
        (
            "\nsavings_plan_discount = 0.8\n",
            2,
            ["savings_plan_discount must be a number >= 0 and <= 0.72, got 0.8"],
        ),
        ("savings_plan_discount = -0.1\n", 1, ["savings_plan_discount must be a number >= 0"]),
        ('savings_plan_discount = "20%"\n', 1, ["savings_plan_discount must be", 'got "20%"']),
        ('profile = ""\n', 1, ['profile must be a non-empty string, got ""']),
        ("# c\n[alerts]\nkind = 'cpu'\n", 2, ["alerts must be a list of tables", "got a table"]),
        ('theme = "a"\nrefesh = 3\n', 2, ['unknown key "refesh"', 'did you mean "refresh"?']),
        ("\n[colors]\nx = 1\n", 2, ['unknown key "colors"']),
        ("\n\nzzzz_qq = 1\n", 3, ['unknown key "zzzz_qq"']),
    ],
)
def test_bad_values_name_key_and_line(
    tmp_path: Path, text: str, line: int, fragments: list[str]
) -> None:
    message = error_of(write(tmp_path, text))
    assert message.startswith(f"{tmp_path / 'config.toml'}:{line}: "), message
    for fragment in fragments:
        assert fragment in message


def test_unknown_key_without_close_match_has_no_suggestion(tmp_path: Path) -> None:
    assert "did you mean" not in error_of(write(tmp_path, "zzzz_qq = 1\n"))


def test_several_problems_report_the_first_and_count_the_rest(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, 'eks = 1\nrefresh = "x"\ntheme = 3\n'))
    assert ":1: eks must be true or false" in message
    assert message.endswith("(and 2 more)")


def test_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, 'refresh = 5\ntheme = "dark\nregions = []\n'))
    assert ":2:" in message and "invalid TOML" in message
    message = error_of(write(tmp_path, "refresh = 5\nregions = [\n"))
    assert "invalid TOML" in message and ":2:" in message


def test_home_is_shown_as_tilde(tmp_path: Path) -> None:
    path = Path.home() / "cfg.toml"
    path.write_text("refresh = 0\n")
    assert error_of(path).startswith("~/cfg.toml:1: refresh")


def test_explicit_missing_file_and_unreadable_file(tmp_path: Path) -> None:
    assert "config file not found" in error_of(tmp_path / "nope.toml")
    assert "cannot read config file" in error_of(tmp_path)  # a directory
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'refresh = 5\ntheme = "caf\xe9"\n')
    assert error_of(bad).endswith(":2: config file is not valid UTF-8")


def test_config_error_is_a_setup_error() -> None:
    assert issubclass(ConfigError, SetupError)


def test_key_line_scans_tables_and_quoted_keys() -> None:
    text = 'a = 1\n"b" = 2\n[t]\na = 3\n[[arr]]\nx = 1\n[[arr]]\nx = 2\n[t.sub]\nc = 1\n'
    assert key_line(text, "a") == 1
    assert key_line(text, "b") == 2
    assert key_line(text, "a", ("t",)) == 4
    assert key_line(text, "arr", index=1) == 7
    assert key_line(text, "x", ("arr",), index=1) == 8
    assert key_line(text, "c", ("t", "sub")) == 10
    assert key_line(text, "missing") is None


def test_merge_cli_overrides_only_given_flags(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    merged = merge_cli(
        config, regions=["ap-south-1"], refresh=2, profile=None, contexts=[], theme="fgtop-light"
    )
    assert merged.regions == ["ap-south-1"]
    assert merged.refresh == 2.0
    assert merged.profile == "prod"  # None: flag not given
    assert merged.contexts == ["prod-eks"]  # empty append-list: flag not given
    assert merged.theme == "fgtop-light"
    assert merged.alerts == config.alerts
    assert config.refresh == 10.0  # the original is unchanged
    assert merge_cli(Config(), refresh="3", log_buffer="200", regions="eu-west-1,us-east-1") == (
        dataclasses.replace(
            Config(), refresh=3.0, log_buffer=200, regions=["eu-west-1", "us-east-1"]
        )
    )


def test_merge_cli_rejects_bad_flags() -> None:
    with pytest.raises(ConfigError, match=r"^--refresh must be a number >= 1, got 0\.5$"):
        merge_cli(Config(), refresh=0.5)
    with pytest.raises(ConfigError, match="--log-buffer must be a whole number"):
        merge_cli(Config(), log_buffer="lots")
    with pytest.raises(TypeError):
        merge_cli(Config(), refreshh=3)


def test_config_keys_document_every_field() -> None:
    documented = {k.key for k in CONFIG_KEYS}
    fields = {f.name for f in dataclasses.fields(Config)} - {"source", "alert_lines"}
    assert documented == fields
    table = config_keys_markdown()
    assert table.count("\n") == len(CONFIG_KEYS) + 1
    for key in CONFIG_KEYS:
        assert f"| `{key.key}` |" in table and key.meaning


def test_readme_config_table_is_generated_from_the_declarations() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table(readme) == config_keys_markdown(), (
        "run: python bench/config_table.py --write"
    )


def test_each_key_is_declared_once_with_its_own_text() -> None:
    # One declaration per key: the field carries its check and its text (api_budget's text
    # once sat under call_timeout, two declarations apart).
    fields = {f.name: f for f in dataclasses.fields(Config)}
    assert fields["api_budget"].metadata["setting"].doc.startswith("average ECS API calls")
    assert fields["call_timeout"].metadata["setting"].doc.startswith("seconds one AWS call")
    for key in CONFIG_KEYS:
        assert fields[key.key].metadata["setting"].doc == key.meaning


def test_documented_defaults_match_the_dataclass() -> None:
    defaults = Config()
    for key in CONFIG_KEYS:
        if key.default == "unset":
            assert getattr(defaults, key.key) is None
            continue
        raw = key.default.strip("`")
        value = tomllib.loads(f"v = {raw}")["v"]
        if key.key == "metrics_window":
            value = 3600 if value == "1h" else value
        assert getattr(defaults, key.key) == value, key.key


def test_config_and_commands_never_import_textual() -> None:
    code = "import sys, fgtop.config, fgtop.ui.commands; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("value", [0, 0.2, 0.72])
def test_savings_plan_discount_accepts_zero_to_the_largest_plan(
    tmp_path: Path, value: float
) -> None:
    config = load_config(write(tmp_path, f"savings_plan_discount = {value}\n"))
    assert config.savings_plan_discount == value
