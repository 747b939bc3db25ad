"""The `workshop` command: serve (default), export, sessions."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workshop import settings


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface with its subcommands."""
    parser = argparse.ArgumentParser(prog="workshop", description="Live Digitaal DNA workshops.")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the web server (the default command)")
    add_serve_options(serve)

    sessions = sub.add_parser("sessions", help="list, delete or purge stored sessions")
    sessions.add_argument("--data-dir", default=None, help="folder with the database (default: sessions/)")
    ssub = sessions.add_subparsers(dest="sessions_command", required=True)
    listing = ssub.add_parser("list", help="list every stored session")
    delete = ssub.add_parser("delete", help="delete one session and everything it holds")
    delete.add_argument("code", help="the session's join code")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge = ssub.add_parser("purge", help="delete sessions unchanged for some days")
    purge.add_argument("--older-than", type=float, default=None, metavar="DAYS",
                       help="age in days (default: the RETENTION_DAYS setting)")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for command in (listing, delete, purge):  # `sessions delete CODE --data-dir DIR` works as well
        command.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    from workshop.exports import add_export_parser

    add_export_parser(sub)
    return parser


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """Options of `workshop serve`."""
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all interfaces, so phones on the LAN can connect)")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on (default: 5000; 0 picks a free one)")
    parser.add_argument("--data-dir", default=None, help="folder for the database and the secret (default: sessions/)")
    parser.add_argument("--public-url", default=None, help="URL phones use to reach this server, e.g. http://192.168.1.20:5000")
    parser.add_argument("--async-mode", default=None, choices=("eventlet", "gevent", "threading"),
                        help="Flask-SocketIO async mode (default: eventlet)")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; `serve` when no command is given."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "serve")
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from workshop.server import serve

        return serve(args)
    if args.command == "sessions":
        return sessions_command(args)
    if args.command == "export":
        from workshop.exports import export_command

        return export_command(args)
    build_parser().print_help()
    return 2


def open_live(data_dir: str | None):
    """Open the sessions of a data dir without a web server."""
    from workshop import create_app

    config = {"DATA_DIR": data_dir} if data_dir else {}
    config.update(ASYNC_MODE="threading", DELETION_CHECK_INTERVAL=0)  # no server here: nothing to watch
    app = create_app(config)
    return app, app.extensions["workshop"].live


def confirm(question: str, assume_yes: bool) -> bool:
    """Ask for a yes on the terminal unless --yes was given."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        print("Refusing without confirmation: add --yes.", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes", "j", "ja")


def sessions_command(args) -> int:
    """List, delete or purge sessions."""
    _app, live = open_live(args.data_dir)
    if args.sessions_command == "list":
        rows = live.sessions()
        print(f"{'CODE':<8} {'CREATED':<26} {'STAGE':<8} {'PEOPLE':>6}  TITLE")
        for s in rows:
            print(f"{s['code']:<8} {s['created_at']:<26} {s['stage']:<8} {s['participants']:>6}  {s['title']}")
        print(f"{len(rows)} session(s)")
        return 0
    if args.sessions_command == "delete":
        room = live.room(args.code)
        if room is None:
            print(f"No session with code {args.code}.", file=sys.stderr)
            return 1
        if not confirm(f"Delete session {room.code} ({room.title}) with all its answers?", args.yes):
            return 1
        live.delete(room.code)
        print(f"Deleted session {room.code}.")
        return 0
    days = args.older_than if args.older_than is not None else live.config["RETENTION_DAYS"]
    if not confirm(f"Delete every session unchanged for more than {days:g} days?", args.yes):
        return 1
    codes = live.purge(days)
    print(f"Deleted {len(codes)} session(s){': ' + ', '.join(codes) if codes else ''}.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
