"""The files in deploy/ agree with the code: every setting Minka reads is documented in README's table
and in the example environment file, the systemd units run commands that exist, and both proxies send
requests where `serve` listens."""

import configparser
import re
import shlex
from pathlib import Path

from django.core.management import get_commands

from config.management.commands.serve import DEFAULT_BIND

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
READS = r"""(?:environ(?:\.get)?[\(\[]|env_\w+\(|_VARIABLE = )["'](MINKA_\w+)["']"""
APPS = [
    "config",
    "toolkit",
    "coop",
    "ledger",
    "acopio",
    "sales",
    "fund",
    "assemblies",
    "certification",
    "api",
]


def settings_read_from_environment() -> set[str]:
    """MINKA_* names the code reads from the environment (os.environ, env_bool, env_list, constants)."""
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            names |= set(
                re.findall(r"""(?:environ(?:\.get)?[\(\[]|env_\w+\(|_VARIABLE = )["'](MINKA_\w+)["']""", text)
            )
    return names


def readme_configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration (environment)", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(MINKA_\w+)`", table))


def test_every_setting_is_in_readme_and_in_the_example_environment_file():
    read = settings_read_from_environment()
    assert {"MINKA_ENV", "MINKA_VAR_DIR", "MINKA_CHECKPOINT_KEY", "MINKA_BIND"} <= read
    assert read - readme_configuration_table() == set()
    example = (DEPLOY / "minka.env.example").read_text(encoding="utf-8")
    assert read - set(re.findall(r"^#?(MINKA_\w+)=", example, flags=re.MULTILINE)) == set()


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def test_the_systemd_units_run_existing_commands_with_the_environment_file():
    commands = get_commands()
    expected = {
        "minka-web.service": "serve",
        "minka-worker.service": "db_worker",
        "minka-rqworker@.service": "rqworker",
        "minka-backup.service": "backup",
    }
    for name, command in expected.items():
        service = unit(name)["Service"]
        argv = shlex.split(service["ExecStart"])
        assert argv[1:3] == ["manage.py", command] and command in commands, name
        assert service["EnvironmentFile"] == "/etc/minka/minka.env"
        assert service["User"] == "minka"
    backup = shlex.split(unit("minka-backup.service")["Service"]["ExecStart"])
    assert (
        "-o" in backup
        and backup[backup.index("-o") + 1] in unit("minka-backup.service")["Service"]["ReadWritePaths"]
    )
    assert unit("minka-backup.timer")["Timer"]["OnCalendar"]


def test_both_proxies_forward_to_where_serve_listens():
    assert f"reverse_proxy {DEFAULT_BIND}" in (DEPLOY / "Caddyfile").read_text()
    nginx = (DEPLOY / "nginx" / "minka.conf").read_text()
    assert f"proxy_pass http://{DEFAULT_BIND};" in nginx
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
