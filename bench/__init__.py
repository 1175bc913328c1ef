"""Benchmark huawei-meeting-mcp side by side with a bare MCPServer, against the loopback sandbox.

    make bench                                   # the full run: about 3 minutes on 2 cores
    .venv/bin/python -m bench --only per-call    # one row (repeat --only for more)
    .venv/bin/python -m bench --quick            # a quick run (fewer repetitions), not a measurement

Prints one table and writes the same as JSON. Every speed figure is compared with a baseline
measured in the same run: a bare `MCPServer` (bench/bare_server.py) in the same environment,
plus a raw httpx GET of the same sandbox URL for the per-call rows (2 over stdio, 6a over HTTP).
Row 6b compares HTTP throughput with the bare server's `relay` tool, which makes the same GET and
returns the body untouched (the least a server answering from an HTTP API does), and shows the
bare `echo` rate beside it.

The parts: `harness` (plans, timing and statistics, the servers and how to call them), one module
per row under `rows/` (registered in `rows/__init__.py`, in the table's order), `report` (the table
and the JSON), `cli` (the command line). Run it from the checkout's root: it reads the tests' helpers.
"""
