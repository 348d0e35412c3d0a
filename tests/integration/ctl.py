#!/usr/bin/env python3
"""carpd control-socket client (doc/control-protocol.md). Standard library only.

usage: ctl.py SOCKET COMMAND [key=value ...]

Sends "COMMAND=1\\n", one "key=value\\n" line per argument and an empty line,
then prints the reply lines (without the final empty line) to stdout.

Exit status: the reply's errno (0 on success; the "message=" line is also
written to stderr when it is not 0), 111 when the socket cannot be reached,
5 (EIO) on a malformed, truncated or late reply, 2 on a usage error.

COMMAND may be written "get" or "get=1". The reply timeout is $CTL_TIMEOUT
seconds (default 10).

The module is also imported by the other helpers of this directory
(pollstate.py), which use request() and parse().
"""

import os
import socket
import sys

EXIT_NOCONNECT = 111
EXIT_BADREPLY = 5
EXIT_USAGE = 2


class CtlError(Exception):
    def __init__(self, code, text):
        super().__init__(text)
        self.code = code


def build(command, pairs):
    """Return the request bytes for COMMAND and a list of 'key=value' strings."""
    if command.endswith("=1"):
        command = command[:-2]
    if not command or "=" in command or "\n" in command:
        raise CtlError(EXIT_USAGE, "bad command: %r" % command)
    lines = [command + "=1"]
    for p in pairs:
        if "=" not in p or p.startswith("=") or "\n" in p:
            raise CtlError(EXIT_USAGE, "not a key=value argument: %r" % p)
        lines.append(p)
    return ("\n".join(lines) + "\n\n").encode()


def exchange(path, data, timeout=10.0):
    """Send data on a new connection to the unix socket path; return the raw reply."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        try:
            s.connect(path)
        except OSError as e:
            raise CtlError(EXIT_NOCONNECT, "cannot connect to %s: %s" % (path, e.strerror or e))
        try:
            s.sendall(data)
            buf = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
                # A reply ends with an empty line; the daemon may or may not
                # close the connection right after it.
                if buf == b"\n" or buf.endswith(b"\n\n"):
                    break
        except socket.timeout:
            raise CtlError(EXIT_BADREPLY, "no complete reply from %s within %gs" % (path, timeout))
        except OSError as e:
            raise CtlError(EXIT_BADREPLY, "error talking to %s: %s" % (path, e.strerror or e))
        return buf
    finally:
        s.close()


def parse(raw):
    """Split a raw reply into (lines, errno, message). Raise CtlError if malformed."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise CtlError(EXIT_BADREPLY, "reply is not UTF-8")
    if not text.endswith("\n\n") and text != "\n":
        raise CtlError(EXIT_BADREPLY, "reply does not end with an empty line: %r" % text[-200:])
    lines = text[:-1].split("\n")[:-1]  # drop the final empty line
    err = None
    message = ""
    for ln in lines:
        if ln.startswith("errno="):
            try:
                err = int(ln[6:])
            except ValueError:
                raise CtlError(EXIT_BADREPLY, "bad errno line: %r" % ln)
        elif ln.startswith("message="):
            message = ln[8:]
    if err is None:
        raise CtlError(EXIT_BADREPLY, "reply has no errno= line")
    return lines, err, message


def request(path, command, pairs=(), timeout=10.0):
    """One request: return (lines, errno, message)."""
    return parse(exchange(path, build(command, list(pairs)), timeout))


def field(lines, key):
    """First value of key in reply lines, or None."""
    prefix = key + "="
    for ln in lines:
        if ln.startswith(prefix):
            return ln[len(prefix):]
    return None


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: ctl.py SOCKET COMMAND [key=value ...]\n")
        return EXIT_USAGE
    try:
        timeout = float(os.environ.get("CTL_TIMEOUT", "10"))
    except ValueError:
        timeout = 10.0
    try:
        lines, err, message = request(argv[1], argv[2], argv[3:], timeout)
    except CtlError as e:
        sys.stderr.write("ctl.py: %s\n" % e)
        return e.code
    out = "".join(ln + "\n" for ln in lines)
    sys.stdout.write(out)
    sys.stdout.flush()
    if err != 0:
        sys.stderr.write("message=%s\n" % message)
        # An exit status is one byte; errno values are far below 256.
        return err if 0 < err < 256 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
