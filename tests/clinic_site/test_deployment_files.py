"""The README and the files in deploy/ say what the code does: every variable documented, every command real."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOY = ROOT / "deploy"


def variables_read(path, pattern):
    return set(re.findall(pattern, (ROOT / path).read_text(encoding="utf-8")))


def test_every_environment_variable_the_site_reads_is_in_the_readmes_table():
    read = (
        variables_read("clinic_site/settings.py", r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"')
        | variables_read("clinic_site/settings.py", r"^\s+([A-Z][A-Z0-9_]+)=\(")  # environ.Env(DEBUG=(bool, False), …)
        | variables_read("gunicorn.conf.py", r'(?:environ\.get\(|environ\[|_number\()"([A-Z][A-Z0-9_]+)"')
    )
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", README, re.M))

    assert read - documented == set()
    assert documented - read == set()


def manage_commands(text):
    return re.findall(r"manage\.py (\w+)", text)


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT) for p in DEPLOY.rglob("*.service")) + [Path("Procfile")])
def test_every_command_a_service_runs_exists(path):
    commands = manage_commands((ROOT / path).read_text(encoding="utf-8"))

    assert set(commands) <= set(get_commands())


def test_every_service_with_a_timer_has_one_and_the_readme_names_them_all():
    services = {path.stem for path in DEPLOY.rglob("*.service")}
    timers = {path.stem for path in DEPLOY.rglob("*.timer")}

    assert timers <= services
    assert services - timers == {"clinic-web", "clinic-worker"}
    for unit in services:
        assert unit in README, unit


def test_the_readme_runs_only_commands_that_exist():
    production = README[README.index("## Production"):README.index("## Layout")]

    assert set(manage_commands(production)) <= set(get_commands())
