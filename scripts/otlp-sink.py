#!/usr/bin/env python3
"""A stand-in OTLP/HTTP collector for trying Maestro's tracing without one: listens on 127.0.0.1:4318 (or the port
given), accepts POST /v1/traces and prints how many bytes of spans each export carried. Stop it with Ctrl-C.
A real collector (Jaeger, Tempo, the OpenTelemetry Collector) takes the same requests and shows the spans."""
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        print(f"{self.path}: {len(body)} bytes ({self.headers.get('Content-Type')})", flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 4318
    print(f"OTLP sink on http://127.0.0.1:{port}", flush=True)
    HTTPServer(("127.0.0.1", port), Sink).serve_forever()
