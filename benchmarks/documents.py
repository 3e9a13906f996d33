"""The documents' verification benchmark (`./sentra bench-documents`): how long the worker
takes to check an upload, for a 10 MB scanned PDF and a 12-megapixel JPEG photo.

Each run is the worker's step (documents.services.document_verify) without its two small SQL
updates: read the object from an S3 API server on this machine (moto in server mode, through
the same boto3 code as production), verify it (documents.verification: type by content, PDF
parsed with pypdf, image decoded and re-encoded without EXIF), and write a re-encoded image
back. Prints p50 and p95 in milliseconds per file kind, and the bytes a web process receives
for the same upload (the presign and confirm requests: JSON of a few hundred bytes; the file
itself goes from the browser to S3).
"""

from __future__ import annotations

import io
import json
import os
import random
import statistics
import sys
import time

RUNS = int(os.environ.get("SENTRA_BENCH_DOCUMENT_RUNS", "15"))
MB = 1024 * 1024


def _noisy_image(width: int, height: int, seed: int) -> object:
    """A photo-like image: smooth gradients under sensor-like noise (JPEG sizes as a phone's)."""
    from PIL import Image

    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), rng.uniform(20, 40)).convert("RGB")
    return Image.blend(base, noise, 0.5)


def photo_12_megapixels() -> bytes:
    from PIL import Image

    image = _noisy_image(4000, 3000, seed=1)
    exif = Image.Exif()
    exif[0x0110] = "Benchmark Phone"
    exif[0x8825] = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92, exif=exif)  # type: ignore[attr-defined]
    return out.getvalue()


def scanned_pdf_10_mb() -> bytes:
    """Pages of scanned A4 (a JPEG each) until the file reaches 10 MB."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    size, page = 0, 0
    while size < 10 * MB:
        scan = io.BytesIO()
        _noisy_image(1654, 2339, seed=page).save(scan, format="JPEG", quality=80)  # type: ignore[attr-defined]
        pdf.add_page()
        pdf.image(scan, x=0, y=0, w=595, h=842)
        size += scan.tell()
        page += 1
    return bytes(pdf.output())


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples), cuts[18]


def main() -> int:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "AWS_S3_ENDPOINT_URL": f"http://{host}:{port}",
            "SENTRA_S3_BUCKET": "sentra-bench",
            "SENTRA_S3_CREATE_BUCKET": "true",
            "AWS_ACCESS_KEY_ID": "sentra-bench",
            "AWS_SECRET_ACCESS_KEY": "sentra-bench",
        }
    )
    import logging

    import django

    django.setup()
    for quiet in ("werkzeug", "botocore", "moto"):
        logging.getLogger(quiet).setLevel(logging.WARNING)
    from documents import object_store
    from documents.verification import PDF, file_verify

    files = {
        "10 MB PDF (scanned pages)": (scanned_pdf_10_mb(), PDF),
        "12-megapixel JPEG": (photo_12_megapixels(), "image/jpeg"),
    }
    print(f"Document verification, {RUNS} runs each (read from S3, verify, write back)")
    print(f"{'file':<28} {'size':>9} {'p50 ms':>8} {'p95 ms':>8} {'verify only p50':>16}")
    for name, (data, content_type) in files.items():
        key = f"tenants/bench/{name.split()[0]}"
        object_store.object_write(key=key, content=data, content_type=content_type)
        whole: list[float] = []
        verify_only: list[float] = []
        for _ in range(RUNS):
            started = time.perf_counter()
            stored = object_store.object_read(key=key)
            checked = time.perf_counter()
            verified = file_verify(
                stored,
                declared_type=content_type,
                allowed_types=frozenset({content_type}),
                max_bytes=15 * MB,
            )
            verify_only.append((time.perf_counter() - checked) * 1000)
            if verified.rewritten:
                object_store.object_write(
                    key=f"{key}-clean", content=verified.content, content_type=content_type
                )
            whole.append((time.perf_counter() - started) * 1000)
        p50, p95 = _percentiles(whole)
        print(
            f"{name:<28} {len(data) / MB:>7.1f}MB {p50:>8.0f} {p95:>8.0f}"
            f" {statistics.median(verify_only):>16.0f}"
        )
    presign = json.dumps(
        {"type": "nib", "content_type": PDF, "size": 10 * MB, "number": "9120001234567"}
    )
    print(
        "\nBytes a web process receives for a 10 MB upload: "
        f"presign {len(presign.encode())} B + confirm 0 B (the file goes to S3; API bodies are "
        "capped at 16 KiB by api.v1.parsers.SmallJSONParser)."
    )
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
