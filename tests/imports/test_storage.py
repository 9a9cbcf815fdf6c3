"""Uploaded workbooks (and their rejected rows) go through Django's storage API, never a path on
the web host's disk: here against a local S3-compatible server (moto in server mode, on a free
loopback port), configured as production configures it from the environment."""

from __future__ import annotations

import socket

import boto3
import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from config.settings import base
from imports import tasks as import_tasks
from imports.models import ImportRun
from tests import factories
from tests.imports.conftest import ESTABLISHMENT_HEADER, vacant_row, xlsx_bytes
from tracker import roles
from tracker.models import Post

BUCKET = "tracker-uploads"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, monkeypatch):
    """STORAGES["default"] exactly as base.object_storage() builds it from the environment."""
    for name, value in {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
    }.items():
        monkeypatch.setenv(name, value)
    storage = base.object_storage()
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    with override_settings(STORAGES={"default": storage, "staticfiles": _static()}):
        yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _static():
    from django.conf import settings

    return settings.STORAGES["staticfiles"]


def test_no_bucket_means_the_file_system(monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    assert base.object_storage() is None


def test_the_environment_names_the_bucket_endpoint_and_keys(monkeypatch):
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "b")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "https://objects.example.nhs.uk")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.delenv("AWS_S3_REGION_NAME", raising=False)
    assert base.object_storage() == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "b",
            "endpoint_url": "https://objects.example.nhs.uk",
            "region_name": None,
            "access_key": "id",
            "secret_key": "secret",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


@pytest.mark.django_db
def test_an_admin_upload_is_stored_in_the_bucket_and_read_back_from_it(client, s3_storage):
    qnq = factories.OrganisationFactory(code="QNQ")
    hr = factories.UserFactory(
        username="hr", groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[qnq]
    )
    client.force_login(hr)
    good = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("posts.xlsx", good)})
    run = ImportRun.objects.get()
    assert default_storage.__class__.__name__ != "FileSystemStorage"
    with pytest.raises(NotImplementedError):
        run.upload.path  # noqa: B018 - object storage has no local path to lean on
    stored = s3_storage.get_object(Bucket=BUCKET, Key=run.upload.name)["Body"].read()
    assert stored == good
    assert run.outcome == ImportRun.Outcome.PREVIEWED  # the task read it back from the bucket
    client.post(reverse("imports:confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.APPLIED and Post.objects.count() == 1

    # A rejected file's rejected rows are stored in the bucket too, and downloaded from it.
    bad = vacant_row(position="X1")
    bad[ESTABLISHMENT_HEADER.index("WTE")] = 3
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, bad]})
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("bad.xlsx", data)})
    rejected = ImportRun.objects.get(file_name="bad.xlsx")
    keys = {o["Key"] for o in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {run.upload.name, rejected.upload.name, rejected.rejects.name} <= keys
    response = client.get(reverse("imports:rejected_rows", args=[rejected.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def _file_system(root) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "staticfiles": _static(),
    }


@pytest.mark.django_db
def test_a_worker_that_cannot_read_the_upload_ends_the_run_as_failed_saying_why(
    client, tmp_path, caplog
):
    """The web server stores the upload under its own root; a worker on another host with a
    file-system storage of its own cannot find it. The run must not sit at "waiting" for ever:
    it fails, saying the storage is not shared, and nothing is written. The same task with the
    web server's storage reads the file, so the failure is the storage, not the file."""
    qnq = factories.OrganisationFactory(code="QNQ")
    hr = factories.UserFactory(
        username="hr", groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[qnq]
    )
    client.force_login(hr)
    good = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})
    queued = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(STORAGES=_file_system(tmp_path / "web"), TASKS=queued):
        client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("posts.xlsx", good)})
    run = ImportRun.objects.get()
    assert run.outcome == ImportRun.Outcome.PENDING  # queued for a worker, not yet read

    with override_settings(STORAGES=_file_system(tmp_path / "worker")):
        assert import_tasks._run(run.pk, dry_run=True) == ImportRun.Outcome.FAILED
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.FAILED and run.stage == ImportRun.Stage.FAILED
    assert run.finished_at is not None
    assert "posts.xlsx: the worker could not read the uploaded file from storage" in run.message
    assert "same storage" in run.message
    assert Post.objects.count() == 0
    assert str(tmp_path) not in run.message  # the server's paths are for the log
    assert "could not be read" in caplog.text and run.upload.name in caplog.text
    status = client.get(reverse("imports:run_status", args=[run.pk])).json()
    assert status["finished"] and status["outcome"] == "failed"

    with override_settings(STORAGES=_file_system(tmp_path / "web")):
        assert import_tasks._run(run.pk, dry_run=True) == ImportRun.Outcome.PREVIEWED


@pytest.mark.django_db
def test_a_fault_during_an_import_ends_the_run_as_failed_and_is_raised(
    monkeypatch, tmp_path, caplog
):
    qnq = factories.OrganisationFactory(code="QNQ")
    hr = factories.UserFactory(
        username="hr", groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[qnq]
    )
    good = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})
    run = ImportRun.objects.create(
        file_name="posts.xlsx",
        user=hr,
        source=ImportRun.Source.ADMIN,
        upload=ContentFile(good, name="posts.xlsx"),
    )

    def broken(*args, **kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr("imports.engine.run.build_plan", broken)
    with pytest.raises(RuntimeError, match="a fault of ours"):
        import_tasks._run(run.pk, dry_run=False)
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.FAILED and run.stage == ImportRun.Stage.FAILED
    assert "posts.xlsx: the import stopped on an unexpected error" in run.message
    assert Post.objects.count() == 0
    assert "a fault of ours" in caplog.text
