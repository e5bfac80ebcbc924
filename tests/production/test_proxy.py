"""The README's nginx sample in front of gunicorn: TLS, the client's address and scheme passed on, private links kept out of its log.

nginx runs from deploy/nginx/ as shipped, with only what a server fills in
changed: the domain, the certificate (a self-signed one), the ports, and the
folders it writes to.
"""

import http.client
import ssl
import time

import pytest

from tests.production.proxy import get, run_nginx

TOKEN = "Ab3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9w"  # a private link's shape: 43 URL-safe characters


@pytest.fixture(scope="module")
def site(services):
    return services.gunicorn("gunicorn-behind-nginx")


@pytest.fixture(scope="module")
def nginx(site, deployment, tmp_path_factory):
    """nginx from the sample, proxying to the site's gunicorn; its https and http ports, and its access log."""
    yield from run_nginx(site, tmp_path_factory.mktemp("nginx"), deployment.media_root)


def test_pages_come_through_the_proxy_over_https_without_a_redirect_loop(nginx):
    https_port, _http_port, _log = nginx

    status, headers, body = get(https_port, "/")

    assert status == 200
    assert "Return to Running" in body.decode()
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
        connection.putheader("Content-Length", str(22 * 1024 * 1024))  # over the 20 MB a photo may weigh
        connection.endheaders()
        status = connection.getresponse().status
    finally:
        connection.close()

    assert status == 413
