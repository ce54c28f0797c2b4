# shellcheck shell=bash
# SMTP: a real SMTP server (Python aiosmtpd, in the venv shared with OpenBao) that writes every message it
# receives to $CV3_SMTP_MAILDIR as <time>-<counter>.eml plus a <time>-<counter>.json sidecar (envelope
# from/to, AUTH user). AUTH PLAIN/LOGIN is offered without TLS and accepts any credentials; it is optional.

AIOSMTPD_VERSION="1.4.6"
CV3_SMTP_MAILDIR="$CV3_STACK_RUN/smtp-mail"
# The shared venv helper lives in openbao.sh.
declare -F stack_venv_pip >/dev/null || source "$STACK_DIR/openbao.sh"

smtp_port() { echo "$CV3_SMTP_PORT"; }
smtp_address() { echo "smtp://127.0.0.1:$CV3_SMTP_PORT"; }
smtp_timeout() { echo 20; }

smtp_install() {
  stack_venv_pip "aiosmtpd==$AIOSMTPD_VERSION" || return 1
  "$CV3_STACK_VENV/bin/python" -c 'import aiosmtpd.smtp' >&2 || { say "  aiosmtpd does not import"; return 1; }
}

smtp_start() {
  mkdir -p "$CV3_SMTP_MAILDIR"
  if [ "${CV3_KEEP_DATA:-false}" != "true" ]; then
    find "$CV3_SMTP_MAILDIR" -mindepth 1 -maxdepth 1 -delete
  fi
  spawn smtp "$CV3_STACK_VENV/bin/python" -u "$STACK_DIR/smtp/smtp_sink.py" \
    --host 127.0.0.1 --port "$CV3_SMTP_PORT" --maildir "$CV3_SMTP_MAILDIR"
}

# Ready: TCP connect and a 220 greeting.
smtp_ready() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$CV3_SMTP_PORT" || exit 1
    IFS= read -r -t 3 line <&3 || exit 1
    printf 'QUIT\r\n' >&3
    case "$line" in 220*) exit 0 ;; *) exit 1 ;; esac
  ) 2>/dev/null
}

smtp_provision() {
  # Send one message with smtplib (with AUTH, as the app may) and read it back, then clear the folder.
  "$CV3_STACK_VENV/bin/python" - "$CV3_SMTP_PORT" "$CV3_SMTP_MAILDIR" <<'PY' >&2 || return 1
import glob, json, os, smtplib, sys, time, uuid
port, maildir = int(sys.argv[1]), sys.argv[2]
token = uuid.uuid4().hex
msg = "From: a@cv3.test\r\nTo: b@cv3.test\r\nSubject: cv3-stack self-test %s\r\n\r\nhello\r\n" % token
with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
    s.ehlo()
    s.login("selftest-user", "any-password")
    s.sendmail("a@cv3.test", ["b@cv3.test", "c@cv3.test"], msg)
for _ in range(50):
    found = [p for p in glob.glob(os.path.join(maildir, "*.eml")) if token in open(p, encoding="utf-8").read()]
    if found:
        break
    time.sleep(0.1)
else:
    sys.exit("smtp: the self-test message was not written to %s" % maildir)
eml = found[0]
meta = json.load(open(eml[:-4] + ".json"))
assert meta["mail_from"] == "a@cv3.test", meta
assert meta["rcpt_tos"] == ["b@cv3.test", "c@cv3.test"], meta
assert meta["auth_user"] == "selftest-user", meta
os.unlink(eml)
os.unlink(eml[:-4] + ".json")
PY
}

smtp_env() {
  printf 'export CV3_SMTP_PORT=%q\n' "$CV3_SMTP_PORT"
  printf 'export CV3_SMTP_MAILDIR=%q\n' "$CV3_SMTP_MAILDIR"
}
