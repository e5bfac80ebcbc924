"""Uploaded media on an S3-compatible bucket when MEDIA_S3_BUCKET is set, so two app hosts see the same files."""

import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def s3_server():
    """An S3-compatible server on this machine, with an empty bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="clinic",
                 aws_secret_access_key="secret").create_bucket(Bucket="clinic-media")
    yield endpoint
    server.stop()


def test_two_hosts_configured_with_the_bucket_read_each_others_uploads(s3_server, tmp_path):
    env = {
        "DEBUG": "true",
        "MEDIA_S3_BUCKET": "clinic-media",
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY_ID": "clinic",
        "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
        "MEDIA_ROOT": str(tmp_path / "nothing-here"),
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
        "PATH": "/usr/bin:/bin",
    }
    upload = (
        "import django; django.setup();"
        "from django.core.files.base import ContentFile; from django.core.files.storage import default_storage;"
        "print(default_storage.save('team/ana.jpg', ContentFile(b'pixels')))"
    )
    read = (
        "import sys, django; django.setup(); from django.core.files.storage import default_storage;"
        "name = sys.argv[1]; print(default_storage.open(name).read().decode(), default_storage.url(name))"
    )

    first_host = subprocess.run([sys.executable, "-c", upload], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert first_host.returncode == 0, first_host.stderr[-2000:]
    name = first_host.stdout.strip()
    second_host = subprocess.run([sys.executable, "-c", read, name], cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=60)

    assert second_host.returncode == 0, second_host.stderr[-2000:]
    content, url = second_host.stdout.split()
    assert content == "pixels"
    assert url.startswith(f"{s3_server}/clinic-media/team/")
    assert not (tmp_path / "nothing-here").exists()  # nothing on the host's own disk
