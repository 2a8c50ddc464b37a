#!/usr/bin/python3
"""A small fake Redfish BMC for tests: HTTPS with basic auth, one ComputerSystem and its Chassis.

  GET  /redfish/v1/Systems/<id>                                 PowerState, Links.Chassis
  POST /redfish/v1/Systems/<id>/Actions/ComputerSystem.Reset    On | GracefulShutdown | ForceOff
  GET  /redfish/v1/Chassis/<id>/Power                           PowerControl[0].PowerConsumedWatts
  GET  /fake/resets                                             (no auth) the ResetTypes received, in order

Prints "listening on 127.0.0.1:<port>" once it accepts connections (--port 0 picks a free port),
so a test waits for that line instead of sleeping. Python 3 standard library only.
"""
import argparse
import base64
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Bmc:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.system_id = args.system_id
        self.state = args.power_state
        self.reset_delay = args.reset_delay
        self.ignore_graceful = args.ignore_graceful
        self.watts_on = args.watts_on
        self.watts_off = args.watts_off
        self.resets = []

    def reset(self, reset_type):
        with self.lock:
            self.resets.append(reset_type)
            if reset_type == "On":
                self._move("PoweringOn", "On")
            elif reset_type == "ForceOff":
                self._move(None, "Off")
            elif reset_type == "GracefulShutdown" and not self.ignore_graceful:
                self._move("PoweringOff", "Off")

    def _move(self, transitional, final):
        # Called with the lock held. With a delay the BMC shows the transitional state first.
        if self.reset_delay > 0 and transitional is not None:
            self.state = transitional
            timer = threading.Timer(self.reset_delay, self._settle, args=(final,))
            timer.daemon = True
            timer.start()
        else:
            self.state = final

    def _settle(self, final):
        with self.lock:
            self.state = final

    def snapshot(self):
        with self.lock:
            return self.state, list(self.resets)


def make_handler(bmc, username, password):
    expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    system_path = f"/redfish/v1/Systems/{bmc.system_id}"
    chassis_path = f"/redfish/v1/Chassis/{bmc.system_id}"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("fake_redfish: " + (fmt % args) + "\n")

        def _send(self, status, body=None):
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status, message):
            self._send(status, {"error": {"code": "Base.1.8.GeneralError", "message": message,
                                          "@Message.ExtendedInfo": [{"Message": message}]}})

        def _authorized(self):
            if self.headers.get("Authorization") == expected:
                return True
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="fake-redfish"')
            data = json.dumps({"error": {"code": "Base.1.8.AccessDenied", "message": "Unauthorized"}}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return False

        def do_GET(self):
            if self.path == "/fake/resets":
                self._send(200, {"resets": bmc.snapshot()[1]})
                return
            if not self._authorized():
                return
            state = bmc.snapshot()[0]
            if self.path == system_path:
                self._send(200, {"@odata.id": system_path, "Id": bmc.system_id, "PowerState": state,
                                 "Links": {"Chassis": [{"@odata.id": chassis_path}]}})
            elif self.path == chassis_path + "/Power":
                watts = bmc.watts_on if state == "On" else bmc.watts_off
                self._send(200, {"@odata.id": chassis_path + "/Power",
                                 "PowerControl": [{"MemberId": "0", "PowerConsumedWatts": watts}]})
            else:
                self._error(404, f"no resource {self.path}")

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if not self._authorized():
                return
            if self.path != system_path + "/Actions/ComputerSystem.Reset":
                self._error(404, f"no action {self.path}")
                return
            try:
                reset_type = json.loads(body)["ResetType"]
            except (ValueError, KeyError, TypeError):
                self._error(400, "body must be {\"ResetType\": ...}")
                return
            if reset_type not in ("On", "GracefulShutdown", "ForceOff"):
                self._error(400, f"ResetType {reset_type} not supported")
                return
            bmc.reset(reset_type)
            self._send(204)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--system-id", default="1")
    parser.add_argument("--power-state", default="Off", choices=["On", "Off"])
    parser.add_argument("--reset-delay", type=float, default=0.0,
                        help="seconds in PoweringOn/PoweringOff before On/Off")
    parser.add_argument("--ignore-graceful", action="store_true",
                        help="GracefulShutdown is accepted but the OS never shuts down")
    parser.add_argument("--watts-on", type=float, default=142.0)
    parser.add_argument("--watts-off", type=float, default=6.0)
    args = parser.parse_args()

    bmc = Bmc(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(bmc, args.username, args.password))
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
