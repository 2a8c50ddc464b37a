#!/usr/bin/python3
"""A fake systemd-logind for tests: owns org.freedesktop.login1 on the bus given by --address and
records Manager.Inhibit and Manager.PowerOff calls, one JSON object per line, to --record.

Inhibit returns a real file descriptor (the write end of a pipe), like logind; when the caller
closes it, the read end sees EOF and an {"event": "released"} line is recorded. Every record is
also printed to stdout, and "READY" is printed once the name is owned, so a test can wait for
lines instead of sleeping. --fail-poweroff makes PowerOff answer with a D-Bus error.

Run with /usr/bin/python3 (Debian's python3-dbus and python3-gi).
"""
import argparse
import json
import os
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

BUS_NAME = "org.freedesktop.login1"
PATH = "/org/freedesktop/login1"
INTERFACE = "org.freedesktop.login1.Manager"


class Manager(dbus.service.Object):
    def __init__(self, bus, record_path, fail_poweroff):
        super().__init__(bus, PATH)
        self._record_path = record_path
        self._fail_poweroff = fail_poweroff

    def _record(self, entry):
        line = json.dumps(entry, sort_keys=True)
        with open(self._record_path, "a", encoding="utf-8") as record:
            record.write(line + "\n")
        print(line, flush=True)

    @dbus.service.method(INTERFACE, in_signature="ssss", out_signature="h")
    def Inhibit(self, what, who, why, mode):
        read_end, write_end = os.pipe()
        self._record({"call": "Inhibit", "what": str(what), "who": str(who), "why": str(why), "mode": str(mode)})

        def on_hangup(fd, _condition):
            os.close(fd)
            self._record({"event": "released", "who": str(who)})
            return False

        GLib.io_add_watch(read_end, GLib.IO_HUP | GLib.IO_IN | GLib.IO_ERR, on_hangup)
        handle = dbus.types.UnixFd(write_end)  # duplicates the fd into the message
        os.close(write_end)
        return handle

    @dbus.service.method(INTERFACE, in_signature="b", out_signature="")
    def PowerOff(self, interactive):
        self._record({"call": "PowerOff", "interactive": bool(interactive)})
        if self._fail_poweroff:
            raise dbus.exceptions.DBusException(
                "There's already a shutdown or sleep operation in progress",
                name="org.freedesktop.login1.OperationInProgress")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--fail-poweroff", action="store_true")
    args = parser.parse_args()

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(args.address)
    manager = Manager(bus, args.record, args.fail_poweroff)
    name = dbus.service.BusName(BUS_NAME, bus, do_not_queue=True)
    print("READY", flush=True)
    loop = GLib.MainLoop()
    try:
        loop.run()
    finally:
        del name, manager
    return 0


if __name__ == "__main__":
    sys.exit(main())
