"""The README's nginx sample in front of one gunicorn, and a client that speaks to it as a phone would.

nginx runs from deploy/nginx/ as shipped, with only what a server fills in
changed: the domain, the certificate (a self-signed one), the ports, the
uploads folder (MEDIA_ROOT) and the folders it writes to.
"""

import http.client
import shutil
import ssl
import subprocess
import time
from pathlib import Path

from tests.production.mail_sink import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "nginx"


def run_nginx(site, folder, media_root):
    """Start nginx proxying to `site`; yields (https port, http port, its access log) and stops it after."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "The proxy tests need nginx (Debian's nginx-light); .ci/run installs it."
    (folder / "logs").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", folder / "privkey.pem", "-out", folder / "fullchain.pem"],
        check=True, capture_output=True,
    )
    https_port, http_port = free_port(), free_port()
    site_conf = (
        (DEPLOY / "clinic.conf").read_text()
        .replace("clinic.example", "localhost")
        .replace("/etc/letsencrypt/live/localhost", str(folder))
        .replace("/var/log/nginx", str(folder / "logs"))
        .replace("/etc/nginx/clinic_proxy.conf", str(folder / "clinic_proxy.conf"))
        .replace("/srv/clinic/media/", f"{media_root}/")
        .replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{site.port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen [::]:443 ssl http2;", "").replace("listen [::]:80;", "")
    )
    (folder / "clinic.conf").write_text(site_conf)
    shutil.copy(DEPLOY / "clinic_proxy.conf", folder / "clinic_proxy.conf")
    (folder / "nginx.conf").write_text(
        f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n"
        f"  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  access_log off;\n  include {folder}/clinic.conf;\n}}\n"
    )
    tested = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")], capture_output=True,
                            text=True, check=False)
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _attempt in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", http_port, timeout=1).request("HEAD", "/")
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield https_port, http_port, folder / "logs" / "clinic.log"
    finally:
        # Also when the generator is closed rather than run to its end, as make lighthouse does.
        process.terminate()
        process.wait(timeout=10)


def get(port, path, secure=True):
    """GET `path` from nginx for the host "localhost": (status, headers, body as bytes)."""
    if secure:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()
