"""A misbehaving OCI distribution server for registry's remote tests (loopback only).

It serves one version copied from a real registry (CONTENT/manifest.json and
CONTENT/blobs/sha256:HEX) under any repository and tag, and misbehaves as MODE says. Every
request is logged to LOG as one JSON line: listener, method, path, whether it carried an
Authorization header. A second listener on 127.0.0.2 (same port) plays "another origin".

    python3 hostile_oci_server.py PORT MODE CONTENT LOG

Modes:
  plain                 behave (for comparison)
  endless-blob          blob GETs answer 200 without a length and never end
  huge-length           blob GETs announce Content-Length: 1 TiB, then send zeros
  endless-manifest      manifest GETs never end
  endless-config        the config blob never ends (the manifest announces its real size)
  huge-config           the manifest announces a 200 MB config
  unknown-config-key    the config carries an unknown top-level key (an array of 3 MB)
  endless-taglist       tags/list never ends
  endless-error         every blob GET answers 404 with a body that never ends
  redirect-endless      blob GETs answer 302 to themselves with a body that never ends
  drip                  every answer body drips one byte every 2 s
  silent                requests are read and never answered
  stall-after-one-pack  the first pack GET fails at once (damaged bytes), others stall forever
  basic-cross-upload    Basic auth; uploads are sent to a Location on the other origin
  basic-cross-link      Basic auth; tags/list pages link to the other origin
  basic-cross-realm     Bearer auth whose realm is on the other origin (which hands out a token)
  catalog-pages         /v2/_catalog serves repositories a, b, c, d, e in pages of n with Link
"""
import base64
import hashlib
import json
import os
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, MODE, CONTENT, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
BASIC = "Basic " + base64.b64encode(b"tester:s3cret-pass").decode()
TOKEN = "token-from-the-realm"
log_lock = threading.Lock()
pack_gets = [0]


def manifest_bytes():
    with open(os.path.join(CONTENT, "manifest.json"), "rb") as f:
        data = f.read()
    if MODE in ("huge-config", "unknown-config-key"):
        manifest = json.loads(data)
        if MODE == "huge-config":
            manifest["config"]["size"] = 200 * 1000 * 1000
        else:
            blob = config_bytes()
            manifest["config"]["digest"] = "sha256:" + hashlib.sha256(blob).hexdigest()
            manifest["config"]["size"] = len(blob)
        data = json.dumps(manifest).encode()
    return data


def config_bytes():
    manifest = json.loads(open(os.path.join(CONTENT, "manifest.json"), "rb").read())
    with open(os.path.join(CONTENT, "blobs", manifest["config"]["digest"]), "rb") as f:
        data = f.read()
    if MODE == "unknown-config-key":
        config = json.loads(data)
        config["padding"] = [1] * (1500 * 1000)
        data = json.dumps(config).encode()
    return data


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self):
        entry = {"listener": self.server.server_address[0], "method": self.command, "path": self.path,
                 "auth": "Authorization" in self.headers}
        with log_lock, open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def other_origin(self):
        return "http://127.0.0.2:%d" % PORT

    def on_other(self):
        return self.server.server_address[0] == "127.0.0.2"

    def send(self, status, body=b"", headers=None, length=True):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            if MODE == "drip":
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(2)
            else:
                self.wfile.write(body)

    def endless(self, status=200, headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Connection", "close")
        self.end_headers()
        block = b"\0" * 65536
        try:
            while True:
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    def authorized(self):
        if MODE.startswith("basic-cross-") and MODE != "basic-cross-realm" and not self.on_other():
            if self.headers.get("Authorization") != BASIC:
                self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"auth"}]}',
                          {"WWW-Authenticate": 'Basic realm="hostile"', "Content-Type": "application/json"})
                return False
        if MODE == "basic-cross-realm" and not self.on_other() and self.path.startswith("/v2/"):
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"auth"}]}',
                          {"WWW-Authenticate": 'Bearer realm="%s/token",service="hostile",scope="repository:team/x:pull"' % self.other_origin()})
                return False
        return True

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.record()
        if MODE == "silent":
            time.sleep(3600)
            return
        if MODE == "basic-cross-realm" and self.on_other() and self.path.startswith("/token"):
            self.send(200, json.dumps({"token": TOKEN}).encode(), {"Content-Type": "application/json"})
            return
        if not self.authorized():
            return
        path = self.path.split("?")[0]
        if path == "/v2/" or path == "/v2":
            self.send(200, b"{}", {"Content-Type": "application/json"})
        elif path == "/v2/_catalog":
            self.catalog()
        elif path.endswith("/tags/list"):
            if MODE == "endless-taglist":
                self.endless(headers={"Content-Type": "application/json"})
                return
            headers = {"Content-Type": "application/json"}
            if MODE == "basic-cross-link" and not self.on_other():
                headers["Link"] = '<%s%s?last=a>; rel="next"' % (self.other_origin(), path)
            self.send(200, json.dumps({"name": "team/x", "tags": ["a"]}).encode(), headers)
        elif "/manifests/" in path:
            if MODE == "endless-manifest":
                self.endless(headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
                return
            data = manifest_bytes()
            self.send(200, data, {"Content-Type": "application/vnd.oci.image.manifest.v1+json",
                                  "Docker-Content-Digest": "sha256:" + hashlib.sha256(data).hexdigest()})
        elif "/blobs/" in path:
            self.blob(path.rsplit("/", 1)[1])
        else:
            self.send(404, b'{"errors":[{"code":"NOT_FOUND"}]}')

    def catalog(self):
        names = ["a", "b", "c", "d", "e"]
        query = dict(part.split("=", 1) for part in self.path.split("?", 1)[1].split("&")) if "?" in self.path else {}
        n = int(query.get("n", "100"))
        last = query.get("last")
        start = names.index(last) + 1 if last in names else 0
        page = names[start:start + n]
        headers = {"Content-Type": "application/json"}
        if start + n < len(names):
            headers["Link"] = '</v2/_catalog?n=%d&last=%s>; rel="next"' % (n, page[-1])
        self.send(200, json.dumps({"repositories": page}).encode(), headers)

    def blob(self, digest):
        is_config = digest == json.loads(manifest_bytes())["config"]["digest"]
        if is_config and MODE == "endless-config":
            self.endless()
            return
        if MODE == "endless-error" and self.command == "GET":
            self.endless(status=404)
            return
        if not is_config and self.command == "GET":
            if MODE == "endless-blob":
                self.endless()
                return
            if MODE == "huge-length":
                self.send_response(200)
                self.send_header("Content-Length", str(1 << 40))
                self.end_headers()
                try:
                    while True:
                        self.wfile.write(b"\0" * 65536)
                except OSError:
                    return
            if MODE == "redirect-endless":
                self.endless(status=302, headers={"Location": self.path})
                return
            if MODE == "stall-after-one-pack":
                pack_gets[0] += 1
                if pack_gets[0] == 1:
                    self.send(200, b"\1" * 4096, {"Content-Type": "application/octet-stream"})
                    return
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.flush()
                time.sleep(3600)
                return
        if is_config and MODE == "unknown-config-key":
            data = config_bytes()
        else:
            try:
                data = open(os.path.join(CONTENT, "blobs", digest), "rb").read()
            except OSError:
                self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
                return
        self.send(200, data, {"Content-Type": "application/octet-stream",
                              "Docker-Content-Digest": digest})

    def do_POST(self):
        self.record()
        if not self.authorized():
            return
        self.drain()
        location = (self.other_origin() if MODE == "basic-cross-upload" else "") + "/upload/1?state=x"
        self.send(202, b"", {"Location": location, "Docker-Upload-UUID": "1"})

    def do_PUT(self):
        self.record()
        self.drain()
        if not self.on_other() and not self.authorized():
            return
        self.send(201, b"", {"Docker-Content-Digest": "sha256:" + "0" * 64})

    def drain(self):
        length = int(self.headers.get("Content-Length") or 0)
        while length > 0:
            piece = self.rfile.read(min(length, 1 << 20))
            if not piece:
                break
            length -= len(piece)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(address):
    Server((address, PORT), Handler).serve_forever()


threading.Thread(target=serve, args=("127.0.0.2",), daemon=True).start()
serve("127.0.0.1")
