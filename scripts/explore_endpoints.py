"""Call the latent explorer's endpoints on a run through FastAPI's test client (no socket), for scripts/gpu_check.sh.

    python scripts/explore_endpoints.py RUN_DIR [--device cuda]

Prints one line per endpoint (status code and the first error, if any); exit status 1 when any call is not 200,
2 when FastAPI is not installed (the explorer's optional dependency).
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """GET the read-only endpoints and POST a decode of a sampled code; report each status."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dir")
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    try:
        from fastapi.testclient import TestClient
    except ImportError:
        print("skipped: FastAPI (and httpx) are not installed; pip install latentgan[explore]")
        return 2
    from latentgan.explore.app import create_app

    client = TestClient(create_app(args.run_dir, device=args.device))
    failures = 0
    calls = [("GET", "/api/info", None), ("GET", "/api/metrics", None), ("GET", "/api/samples?n=4&seed=1", None),
             ("GET", "/api/test-images?limit=4", None)]
    results = []
    for method, path, body in calls:
        response = client.request(method, path, json=body)
        results.append((method, path, response))
        if path.startswith("/api/samples") and response.status_code == 200:
            item = response.json()["items"][0]
            calls.append(("POST", "/api/decode", {"code": item["code"], "y": item.get("y")}))
    for method, path, response in results:
        # 409 is the explorer's documented answer for a run without test data (synthetic points).
        ok = response.status_code == 200 or (path.startswith("/api/test-images") and response.status_code == 409)
        failures += not ok
        detail = "" if ok else f": {response.text[:200]}"
        print(f"{method:4} {path}: {response.status_code}{detail}")
    return int(failures > 0)


if __name__ == "__main__":
    sys.exit(main())
