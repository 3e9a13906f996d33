"""`./sentra run` brings an S3 API server of its own (moto in server mode) unless an endpoint
is configured, and the documents' code reaches it through the same boto3 calls."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import boto3

from config.launcher import embedded_s3_configure, platform_processes


def test_without_an_endpoint_the_run_starts_moto_and_points_the_platform_at_it() -> None:
    env: dict[str, str] = {}
    port = embedded_s3_configure(env)

    assert port is not None
    assert env["AWS_S3_ENDPOINT_URL"] == f"http://127.0.0.1:{port}"
    assert env["SENTRA_S3_CREATE_BUCKET"] == "true"
    processes = {
        spec.name: spec.command
        for spec in platform_processes(bind="127.0.0.1", port="8000", s3_port=port)
    }
    assert processes["s3"][1:] == ["-m", "moto.server", "-H", "127.0.0.1", "-p", port]


def test_a_configured_endpoint_starts_no_server() -> None:
    env = {"AWS_S3_ENDPOINT_URL": "https://s3.example.test"}
    assert embedded_s3_configure(env) is None
    assert env == {"AWS_S3_ENDPOINT_URL": "https://s3.example.test"}
    names = [spec.name for spec in platform_processes(bind="127.0.0.1", port="8000")]
    assert "s3" not in names


def test_the_embedded_server_command_serves_the_s3_api() -> None:
    env: dict[str, str] = {}
    port = embedded_s3_configure(env)
    assert port is not None
    command = next(
        spec.command
        for spec in platform_processes(bind="127.0.0.1", port="8000", s3_port=port)
        if spec.name == "s3"
    )
    process = subprocess.Popen(
        [sys.executable, *command[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        s3 = boto3.client(
            "s3",
            endpoint_url=env["AWS_S3_ENDPOINT_URL"],
            region_name="ap-southeast-3",
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        s3.create_bucket(
            Bucket="sentra-local",
            CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"},
        )
        s3.put_object(Bucket="sentra-local", Key="k", Body=b"x")
        assert s3.get_object(Bucket="sentra-local", Key="k")["Body"].read() == b"x"
    finally:
        process.terminate()
        process.wait(timeout=15)
