"""The README's nginx sample in front of gunicorn: TLS, the client's address and scheme passed on, private links kept out of its log.

nginx runs from deploy/nginx/ as shipped, with only what a server fills in
changed: the domain, the certificate (a self-signed one), the ports, and the
folders it writes to.
"""

import http.client
import shutil
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.production.mail_sink import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "nginx"
TOKEN = "Ab3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9w"  # a private link's shape: 43 URL-safe characters


@pytest.fixture(scope="module")
def site(services):
    return services.gunicorn("gunicorn-behind-nginx")


@pytest.fixture(scope="module")
def nginx(site, tmp_path_factory):
    """nginx from the sample, proxying to the site's gunicorn; its https and http ports, and its access log."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "The proxy test needs nginx (Debian's nginx-light); .ci/run installs it."
    folder = tmp_path_factory.mktemp("nginx")
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
        .replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{site.port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen [::]:443 ssl http2;", "").replace("listen [::]:80;", "")
    )
    (folder / "clinic.conf").write_text(site_conf)
    shutil.copy(DEPLOY / "clinic_proxy.conf", folder / "clinic_proxy.conf")
    (folder / "nginx.conf").write_text(
        f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\nevents {{}}\n"
        f"http {{\n  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  access_log off;\n  include {folder}/clinic.conf;\n}}\n"
    )
    tested = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")], capture_output=True,
                            text=True)
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _attempt in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", http_port, timeout=1).request("HEAD", "/")
            break
        except OSError:
            time.sleep(0.1)
    yield https_port, http_port, folder / "logs" / "clinic.log"
    process.terminate()
    process.wait(timeout=10)


def get(port, path, secure=True):
    if secure:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_pages_come_through_the_proxy_over_https_without_a_redirect_loop(nginx):
    https_port, _http_port, _log = nginx

    status, headers, body = get(https_port, "/")

    assert status == 200
    assert "Return to Running" in body
    assert "Strict-Transport-Security" in headers  # the site saw the request as https
    assert headers.get("X-Request-ID")


def test_plain_http_is_sent_to_https(nginx):
    _https_port, http_port, _log = nginx

    status, headers, _body = get(http_port, "/faq/?utm=x", secure=False)

    assert status == 301
    assert headers["Location"] == "https://localhost/faq/?utm=x"


def test_the_proxys_log_holds_no_private_link_and_no_query_string(nginx):
    https_port, _http_port, log = nginx

    get(https_port, f"/book/manage/{TOKEN}/?email=maria%40example.com")
    time.sleep(0.5)  # nginx writes its log line after the answer

    lines = log.read_text().splitlines()
    assert any("/book/manage/[private]/" in line for line in lines)
    assert TOKEN not in log.read_text()
    assert "maria" not in log.read_text() and "?" not in log.read_text()


def test_an_upload_larger_than_the_limit_is_refused_by_the_proxy(nginx):
    https_port, _http_port, _log = nginx
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=30, context=context)
    try:
        # Only the headers: nginx answers on the announced length, before any of the body.
        connection.putrequest("POST", "/admin/login/", skip_host=True)
        connection.putheader("Host", "localhost")
        connection.putheader("Content-Length", str(13 * 1024 * 1024))
        connection.endheaders()
        status = connection.getresponse().status
    finally:
        connection.close()

    assert status == 413
