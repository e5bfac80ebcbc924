"""`make lighthouse`: Lighthouse's mobile run on "/" with the site served as in production; prints the scores.

The site is deployed as README.md's "Production" says, on a database of its
own in a temporary folder: DEBUG off, collectstatic, WhiteNoise, gunicorn from
its config file, the README's nginx in front (TLS with a self-signed
certificate, HTTP/2, uploads served from MEDIA_ROOT). The home page gets an
opening photo uploaded as staff would, so the largest paint is that photo, as
it is for the clinic. Lighthouse runs in Debian's chromium (CHROME_PATH) with
its default mobile settings: a mid-range phone on slow 4G, simulated.

Prints the four category scores and the largest contentful paint, and exits
non-zero when a score is under 100 or the paint takes 1.5 s or more. It is
not one of the CI runs (.ci/run): Lighthouse's figures move a little from one
run to the next, and it needs Node.js.
"""

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.production.browser import Host
from tests.production.mail_sink import free_port
from tests.production.proxy import run_nginx

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
LCP_BUDGET_MS = 1500

OPENING_PHOTO = """
import io, random
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from clinic.models import Picture
from conditions.models import ServicePage

# A photo's weight, not a flat colour's: a camera's 3:2 frame full of detail.
rng = random.Random(7)
image = Image.new("RGB", (2400, 1600), (180, 196, 210))
draw = ImageDraw.Draw(image)
for _ in range(900):
    x, y = rng.randrange(2400), rng.randrange(1600)
    draw.ellipse((x, y, x + rng.randrange(20, 240), y + rng.randrange(20, 240)),
                 fill=tuple(rng.randrange(256) for _ in range(3)))
output = io.BytesIO()
image.save(output, "JPEG", quality=90)
picture = Picture.objects.create(
    image=ContentFile(output.getvalue(), name="opening.jpg"),
    alt_text="A physiotherapist filming a runner's stride on the treadmill",
    alt_text_es="Una fisioterapeuta graba la zancada de un corredor en la caminadora",
)
page = ServicePage.objects.get()
page.opening_picture = picture
page.save()
"""


def main():
    lighthouse = os.environ.get("LIGHTHOUSE") or shutil.which("lighthouse")
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    assert lighthouse and Path(lighthouse).exists(), "Set LIGHTHOUSE to Lighthouse's command (make lighthouse does)."
    assert Path(chrome).exists(), f"No chromium at {chrome}: apt install chromium, or set CHROME_PATH."
    folder = Path(tempfile.mkdtemp(prefix="clinic-lighthouse-"))
    # nginx's workers are not root: they must be able to reach the uploads, as www-data reaches /srv/clinic/media/.
    folder.chmod(0o755)
    try:
        with site_in_production(folder) as url:
            report = run_lighthouse(lighthouse, chrome, url, folder / "report.json")
        # LIGHTHOUSE_REPORT=path keeps the whole report (open it in https://googlechrome.github.io/lighthouse/viewer/).
        if os.environ.get("LIGHTHOUSE_REPORT"):
            shutil.copy(folder / "report.json", os.environ["LIGHTHOUSE_REPORT"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return summarise(report)


@contextlib.contextmanager
def site_in_production(folder):
    """The README's deploy in `folder`, gunicorn and nginx running; yields the https address of "/"."""
    (folder / "media").mkdir(mode=0o755)
    port = free_port()
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "SITE_URL": "https://localhost",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    for command in (["migrate", "--no-input"], ["load_clinic_content"], ["collectstatic", "--no-input"],
                    ["shell", "-c", OPENING_PHOTO]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=environment, check=True,
                       stdout=subprocess.DEVNULL)
    with open(folder / "gunicorn.log", "wb") as log:
        gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "clinic_site.wsgi"], cwd=ROOT, env=environment,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_listening(port, gunicorn, folder / "gunicorn.log")
        (folder / "nginx").mkdir()
        proxy = run_nginx(Host(port), folder / "nginx", folder / "media")
        https_port, _http_port, _log = next(proxy)
        try:
            yield f"https://localhost:{https_port}/"
        finally:
            proxy.close()
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


def wait_until_listening(port, process, log, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"gunicorn is not listening on {port} after {timeout} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)


def run_lighthouse(lighthouse, chrome, url, output):
    # The certificate is nginx's self-signed one: the browser is told to accept it, nothing else is relaxed.
    flags = "--headless=new --no-sandbox --ignore-certificate-errors"
    subprocess.run(
        [lighthouse, url, f"--only-categories={','.join(CATEGORIES)}", "--output=json",
         f"--output-path={output}", f"--chrome-flags={flags}", "--quiet"],
        env={**os.environ, "CHROME_PATH": chrome}, check=True,
    )
    return json.loads(output.read_text())


def summarise(report):
    scores = {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES}
    audits = report["audits"]
    lcp = audits["largest-contentful-paint"]["numericValue"]
    print(f"Lighthouse {report['lighthouseVersion']}, mobile, {report['finalDisplayedUrl']}")
    for name, score in scores.items():
        print(f"  {name:<15} {score:>3}")
    print(f"  LCP             {lcp / 1000:.2f} s (budget {LCP_BUDGET_MS / 1000:.1f} s)")
    element = audits.get("largest-contentful-paint-element", {}).get("details", {}).get("items", [])
    if element:
        node = next((item for item in element[0].get("items", []) if "node" in item), element[0]).get("node", {})
        print(f"  LCP element     {node.get('snippet', '?')[:120]}")
    # What cost points, so a score under 100 says why.
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                print(f"  {name}: {audit['id']} {audit['score']:.2f} {audit.get('displayValue', '')}")
    return 0 if all(score == 100 for score in scores.values()) and lcp < LCP_BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
