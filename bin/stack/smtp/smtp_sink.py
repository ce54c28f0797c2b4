"""A real SMTP server (aiosmtpd) that keeps every message it receives, for tests to read.

Each message becomes <maildir>/<UTC time>-<counter>.eml (the raw bytes as received) plus a JSON sidecar
<same name>.json with the envelope (mail_from, rcpt_tos), the AUTH user (or null), peer and a few headers.
Both are written atomically (temp file + rename), the sidecar first, so a visible .eml always has its .json.
AUTH PLAIN/LOGIN is offered and any credentials are accepted, without TLS; AUTH is never required.

usage: smtp_sink.py --host 127.0.0.1 --port 2525 --maildir DIR
"""

import argparse
import asyncio
import email
import email.policy
import itertools
import json
import logging
import os
import signal
import sys
import tempfile
from datetime import datetime, timezone

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

log = logging.getLogger("smtp-sink")


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _write_atomic(directory, name, data):
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(directory, name))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class MaildirHandler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        now = datetime.now(timezone.utc)
        base = "%s-%06d" % (now.strftime("%Y%m%dT%H%M%S.%fZ"), next(self.counter))
        headers = {}
        try:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            for h in ("Subject", "From", "To", "Cc", "Message-ID", "Date"):
                if msg.get(h) is not None:
                    headers[h.lower()] = str(msg.get(h))
        except Exception:  # a malformed message is still kept as received
            pass
        auth_user = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            auth_user = _text(session.auth_data.login)
        meta = {
            "file": base + ".eml",
            "received_at": now.isoformat(),
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_user": auth_user,
            "peer": list(session.peer) if isinstance(session.peer, tuple) else session.peer,
            "helo": session.host_name,
            "size": len(raw),
            "headers": headers,
        }
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._store, base, raw, meta)
        log.info("stored %s from=%s to=%s auth=%s", base, envelope.mail_from, envelope.rcpt_tos, auth_user)
        return "250 Message accepted for delivery"

    def _store(self, base, raw, meta):
        _write_atomic(self.maildir, base + ".json", json.dumps(meta, indent=2).encode("utf-8"))
        _write_atomic(self.maildir, base + ".eml", raw)


def accept_any(server, session, envelope, mechanism, auth_data):
    # PLAIN and LOGIN hand over a LoginPassword; keep it so handle_DATA can record the user.
    return AuthResult(success=True, handled=False, auth_data=auth_data)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--maildir", required=True)
    args = ap.parse_args()
    os.makedirs(args.maildir, exist_ok=True)

    handler = MaildirHandler(os.path.abspath(args.maildir))
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(
            handler,
            hostname="cv3-smtp-sink",
            ident="cv3-stack SMTP sink",
            enable_SMTPUTF8=True,
            authenticator=accept_any,
            auth_required=False,
            auth_require_tls=False,
        )

    server = await loop.create_server(factory, host=args.host, port=args.port)
    log.info("listening on %s:%d, writing to %s", args.host, args.port, handler.maildir)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    log.info("stopped")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(main())
