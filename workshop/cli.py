"""The `workshop` command: serve (default), export, sessions.

`export` and `sessions` open only the store and the live service on the data directory
(no web app, no secret, no Socket.IO); a data directory they cannot use is one line on stderr.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from workshop import settings
from workshop.exports.cli_words import _, n_


DATA_DIR_HELP = ("folder with the database (default: the WORKSHOP_DATA_DIR environment variable, else sessions/); "
                 "list, export and compare also take a database file such as a backup, read-only")
DATA_DIR_EPILOG = ("Settings come from WORKSHOP_<NAME> environment variables (docs/settings.md): WORKSHOP_DATA_DIR is "
                   "the data directory when --data-dir is not given, WORKSHOP_MESSAGE_QUEUE tells running workers. "
                   "These commands never create a data directory: they only open one a server made.")


def purge_days(raw: str) -> float:
    """The --older-than value: a number of days of at least one (argparse's type)."""
    from workshop.live.service import MIN_PURGE_DAYS

    try:
        days = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {raw!r}") from None
    if not days >= MIN_PURGE_DAYS:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_PURGE_DAYS} (days), not {raw}: a purge never "
                                         f"deletes sessions changed within the last day")
    return days


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface with its subcommands."""
    parser = argparse.ArgumentParser(prog="workshop", description="Live Digitaal DNA workshops.",
                                     epilog=DATA_DIR_EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {settings.version()}")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the web server (the default command)")
    add_serve_options(serve)

    sessions = sub.add_parser("sessions", help="list, delete or purge stored sessions",
                              description="List, delete or purge the sessions stored in a data directory.",
                              epilog=DATA_DIR_EPILOG)
    sessions.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    ssub = sessions.add_subparsers(dest="sessions_command", required=True)
    listing = ssub.add_parser("list", help="list every stored session with its last change (what purge goes by)")
    delete = ssub.add_parser("delete", help="delete one session and everything it holds")
    delete.add_argument("code", help="the session's join code")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge = ssub.add_parser("purge", help="delete sessions unchanged for some days (never a running one)")
    purge.add_argument("--older-than", type=purge_days, default=None, metavar="DAYS",
                       help="age in days, at least 1 (default: the RETENTION_DAYS setting; 0 there keeps everything)")
    purge.add_argument("--dry-run", action="store_true", help="only list the sessions a purge would delete")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    link = ssub.add_parser("link", help="print a new facilitator link for a session (for a lost link or another device)")
    link.add_argument("code", help="the session's join code")
    link.add_argument("--rotate", action="store_true",
                      help="make every earlier facilitator link stop working (a link was shared by mistake); asks first")
    link.add_argument("--yes", action="store_true", help="with --rotate: do not ask for confirmation")
    link.add_argument("--public-url", default=None,
                      help="the server's address as browsers reach it (default: the PUBLIC_URL setting)")
    for command in (listing, delete, purge, link):  # `sessions delete CODE --data-dir DIR` works as well
        command.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    add_export_parser(sub)
    add_compare_parser(sub)
    add_deploy_files_parser(sub)
    return parser


def add_deploy_files_parser(sub) -> None:
    """The `workshop deploy-files` subcommand and its options."""
    files = sub.add_parser("deploy-files", help="write the files of a server deployment (systemd, nginx, logrotate, "
                                                "backup; docs/deployment.md) into a folder")
    files.add_argument("dir", metavar="DIR", help="folder to write them to (created if missing)")
    files.add_argument("--force", action="store_true", help="overwrite files there that differ from this version's")


def deploy_files_command(args) -> int:
    """Write the deployment files of this version into a folder and say what was written."""
    try:
        done = write_deploy_files(Path(args.dir), args.force)
    except OSError as error:
        print(_("Cannot write to {path}: {reason}.", path=args.dir, reason=error.strerror or str(error)),
              file=sys.stderr)
        return 1
    for path, outcome in done:
        if outcome == "wrote":
            print(_("Wrote {path}", path=path))
        elif outcome == "unchanged":
            print(_("Unchanged {path}", path=path))
    kept = [str(path) for path, outcome in done if outcome == "differs"]
    if kept:
        print(_("Left as they are, since they differ from this version's: {paths}. Add --force to overwrite them.",
                paths=", ".join(kept)), file=sys.stderr)
        return 1
    print(_("Next: docs/deployment.md, step 2 (copy them into place and fill in your server's name)."))
    return 0


def add_compare_parser(sub) -> None:
    """The `workshop compare` subcommand and its options."""
    compare = sub.add_parser("compare", help="put sessions side by side: a comparison as HTML, XLSX or JSON",
                             epilog=DATA_DIR_EPILOG)
    compare.add_argument("codes", nargs="+", metavar="CODE", help="the sessions' join codes")
    compare.add_argument("--format", default="html", choices=("html", "xlsx", "json"),
                         help="html (printable report, default), xlsx (workbook) or json (workshop.comparison/1)")
    compare.add_argument("--by", default="session", choices=("session", "organisation"),
                         help="one column per session in date order (default), or per organisation (its latest session)")
    compare.add_argument("--language", default=None, choices=("nl", "en"),
                         help="language of the report (default: the first session's)")
    compare.add_argument("--out", default=None, metavar="FILE",
                         help="file to write (default: standard output; xlsx needs a file or a pipe)")
    compare.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)


def add_export_parser(sub) -> None:
    """The `workshop export` subcommand and its options."""
    from workshop.exports import FORMATS

    export = sub.add_parser("export", help="write a session's summary as JSON, CSV, XLSX or an HTML report",
                            epilog=DATA_DIR_EPILOG)
    export.add_argument("code", help="the session's join code")
    export.add_argument("--format", default="json", choices=tuple(FORMATS),
                        help="json (the full summary, default), csv (raw answers), xlsx (workbook), html (report) "
                             "or activities (CSV of the proeftuin activities: challenges picked, ideas with their "
                             "dots, first steps)")
    export.add_argument("--out", default=None, metavar="FILE",
                        help="file to write (default: standard output; xlsx needs a file or a pipe)")
    export.add_argument("--no-nicknames", action="store_true", help="leave the participants' nicknames out")
    export.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """Options of `workshop serve`."""
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all interfaces, so phones on the LAN can connect)")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on (default: 5000; 0 picks a free one)")
    parser.add_argument("--data-dir", default=None, help="folder for the database and the secret (default: sessions/)")
    parser.add_argument("--public-url", default=None,
                        help="URL phones use to reach this server, e.g. http://192.168.1.20:5000 or "
                             "https://workshop.example.org behind a proxy (default: the PUBLIC_URL setting, "
                             "WORKSHOP_PUBLIC_URL; without either, this machine's address)")
    parser.add_argument("--async-mode", default=None, choices=("eventlet", "gevent", "threading"),
                        help="Flask-SocketIO async mode (default: eventlet)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes (default 1: one process, no other services); above 1 they listen on "
                             "--port and the ports after it, behind a proxy that hashes on the session code "
                             "(docs/deployment.md), and need --message-queue")
    parser.add_argument("--message-queue", default=None, metavar="URL",
                        help="Redis URL of the message queue between workers, e.g. redis://127.0.0.1:6379/0 "
                             "(default: the MESSAGE_QUEUE setting)")
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)  # set by the supervisor
    parser.add_argument("--ready-fd", type=int, default=None, help=argparse.SUPPRESS)  # the supervisor's pipe


def main(argv: list[str] | None = None) -> int:
    """Run the command line; `serve` when no command is given."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "serve")
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        problem = serve_settings(args)
        if problem:
            print(problem, file=sys.stderr, flush=True)
            return 2
        if args.workers > 1 and not args.worker:
            from workshop.supervisor import supervise

            try:
                return supervise(args, open_live)
            except CannotOpen as error:
                print(error, file=sys.stderr, flush=True)
                return 1
        from workshop.server import serve

        return serve(args)
    commands = {"sessions": sessions_command, "export": export_command, "compare": compare_command,
                "deploy-files": deploy_files_command}
    if args.command in commands:
        try:
            return commands[args.command](args)
        except CannotOpen as error:
            print(error, file=sys.stderr, flush=True)
            return 1
    build_parser().print_help()
    return 2


def serve_settings(args) -> str | None:
    """Give `serve` the settings its options default to: --message-queue and --public-url; a problem in one line, or None.

    --public-url and WORKSHOP_PUBLIC_URL are one setting: the option wins, and the supervisor hands the
    result to each worker, so every link names it (issue 24, point 1).
    """
    from workshop.web.netinfo import public_url_or_none

    config = settings.Settings.load({"DATA_DIR": args.data_dir} if args.data_dir else None)
    args.message_queue = args.message_queue or config.message_queue
    given = args.public_url or config.public_url
    args.public_url = public_url_or_none(given) if given else None
    if given and args.public_url is None:
        return _("The public URL {url} is not an address browsers can open: give http:// or https://, a host, "
                 "at most a port and a path, e.g. https://workshop.example.org (--public-url or WORKSHOP_PUBLIC_URL).",
                 url=given)
    return None


def deploy_files() -> list[tuple[str, bytes]]:
    """Every file of deploy/ (the checkout's, or the wheel's workshop/deploy) as (relative path, content), sorted."""
    source = settings.ROOT / "deploy"
    found = [p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [(p.relative_to(source).as_posix(), p.read_bytes()) for p in sorted(found)]


def write_deploy_files(folder: Path, force: bool = False) -> list[tuple[Path, str]]:
    """Write the deploy files under folder: (path, 'wrote' | 'unchanged' | 'differs'); a file that differs is kept
    unless force. Scripts (#!) get mode 0755, the others 0644."""
    done = []
    for name, content in deploy_files():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.read_bytes() == content:
            done.append((target, "unchanged"))
        elif target.exists() and not force:
            done.append((target, "differs"))
        else:
            target.write_bytes(content)
            target.chmod(0o755 if content.startswith(b"#!") else 0o644)
            done.append((target, "wrote"))
    return done


class CannotOpen(Exception):
    """The data directory cannot be used; the message (one line) says why and what to do."""


def open_live(data_dir: str | None):
    """Open a data directory's sessions with only the store and the core (no web app), or raise CannotOpen."""
    from workshop.core.questionnaire import default as default_questionnaire
    from workshop.live.service import Live
    from workshop.server import store_unusable, unusable
    from workshop.store.backend import open_store
    from workshop.store.sql import StoreUnavailable

    config = settings.Settings.load({"DATA_DIR": data_dir} if data_dir else None)
    folder = Path(config.data_dir)
    try:
        store = open_store(config)
    except OSError as error:
        raise CannotOpen(unusable(folder, error.strerror or str(error))) from None
    except StoreUnavailable as error:
        raise CannotOpen(store_unusable(config, folder, error)) from None
    return Live(store, default_questionnaire(), config)


SQLITE_MAGIC = b"SQLite format 3\x00"


def open_existing(data_dir: str | None, *, write: bool):
    """Open the sessions of a data directory a server made, never creating one; raise CannotOpen otherwise.

    `write` (delete, purge, link) opens the database as the server does. Without it (list, export,
    compare) it is opened read-only (store/sqlite.py read_only), so a backup or a copy on read-only media can be
    inspected, and `--data-dir` may also name a database file itself (a backup made by workshop-backup).
    With DATABASE_URL set, the commands work on that PostgreSQL database (read-only without `write`).
    """
    from workshop.core.questionnaire import default as default_questionnaire
    from workshop.live.service import Live
    from workshop.server import store_unusable, unusable
    from workshop.store.backend import open_store, uses_postgres
    from workshop.store.sqlite import read_only
    from workshop.store.sql import StoreUnavailable

    config = settings.Settings.load({"DATA_DIR": data_dir} if data_dir else None)
    if uses_postgres(config):  # the sessions are in PostgreSQL: no data directory or file to look for
        try:
            return Live(open_store(config, read_only=not write), default_questionnaire(), config)
        except StoreUnavailable as error:
            raise CannotOpen(store_unusable(config, Path(config.data_dir), error)) from None
    target = Path(config.data_dir)
    given = _("given by --data-dir") if data_dir else _("given by WORKSHOP_DATA_DIR") if os.environ.get(
        "WORKSHOP_DATA_DIR") else _("the default: give --data-dir or WORKSHOP_DATA_DIR")
    try:
        database = _database_in(target, write, given)
    except OSError as error:  # a folder on the way this user may not enter
        raise CannotOpen(unusable(target, error.strerror or str(error))) from None
    owner = database.stat().st_uid
    if write and hasattr(os, "geteuid") and os.geteuid() == 0 and owner != 0:
        user = _owner_name(owner)
        raise CannotOpen(_("{path} belongs to the user {user}: run this command as that user (sudo -u {user} "
                           "workshop ...), so that no file of the service becomes root's.", path=database, user=user))
    try:
        if write:
            from workshop.store.sqlite import Store

            store = Store(database, config.sqlite_synchronous)
        else:
            store = read_only(database)
    except OSError as error:
        raise CannotOpen(unusable(target, error.strerror or str(error))) from None
    except StoreUnavailable as error:
        raise CannotOpen(unusable(target, error.reason)) from None
    return Live(store, default_questionnaire(), config)


def _database_in(target: Path, write: bool, given: str) -> Path:
    """The database file a data directory (or a database file itself) names; CannotOpen when there is none."""
    from workshop.server import unusable
    from workshop.store.sqlite import DB_NAME

    if target.is_file() and _is_database(target):
        if write:
            raise CannotOpen(_("{path} is a database file, opened read-only: to change sessions give the data "
                               "directory a server uses.", path=target))
        return target
    if target.exists() and not target.is_dir():
        raise CannotOpen(unusable(target, "it is a file, not a folder"))
    if not target.is_dir():
        raise CannotOpen(_("No data directory {path} ({given}); nothing was created. Give the folder `workshop "
                           "serve` uses (on a server: WORKSHOP_DATA_DIR of its env file).", path=target, given=given))
    database = target / DB_NAME
    if not database.is_file():
        raise CannotOpen(_("No workshop database in {path} ({given}; no {name} there); nothing was created. "
                           "Give the folder `workshop serve` uses.", path=target, given=given, name=DB_NAME))
    return database


def _owner_name(uid: int) -> str:
    """A user's name, or its number when it has none."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def _is_database(path: Path) -> bool:
    """Whether a file starts as an SQLite database does."""
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def export_command(args) -> int:
    """Write one session's export to a file or standard output."""
    from workshop import exports
    from workshop.core import security

    live = open_existing(args.data_dir, write=False)
    code = security.normalise_code(args.code) or args.code
    summary = exports.load_summary(live.store, live.questionnaire, code, now=live.clock(),
                                   include_nicknames=not args.no_nicknames,
                                   min_group_size=live.config.min_group_size)
    if summary is None:
        print(_("No session with code {code}. See `workshop sessions list`.", code=args.code), file=sys.stderr)
        return 1
    if args.out is None and args.format == "xlsx" and sys.stdout.isatty():
        print(_("An XLSX file is binary: add --out FILE (or pipe the output into a file)."), file=sys.stderr)
        return 2
    body = exports.render(summary, args.format, live.questionnaire, live.config.time_zone)
    return write_out(body, args.out, args.format)


def compare_command(args) -> int:
    """Write the comparison of several sessions to a file or standard output."""
    from workshop.core import security
    from workshop.core.comparison import NotComparable
    from workshop.exports import compare

    live = open_existing(args.data_dir, write=False)
    codes = [security.normalise_code(c) or c for c in args.codes]
    if len(codes) > live.config.compare_max:
        print(_("At most {max} sessions (the COMPARE_MAX setting).", max=live.config.compare_max), file=sys.stderr)
        return 2
    missing = sorted(live.store.missing_codes(codes))
    if missing:
        print(_("No session with code {code}. See `workshop sessions list`.", code=", ".join(missing)), file=sys.stderr)
        return 1
    try:
        comparison = compare.load_comparison(live.store, live.questionnaire, codes, by=args.by, now=live.clock(),
                                             language=args.language, min_group_size=live.config.min_group_size)
    except NotComparable:
        print(_("These sessions cannot be compared: they use different questionnaires."), file=sys.stderr)
        return 1
    if args.out is None and args.format == "xlsx" and sys.stdout.isatty():
        print(_("An XLSX file is binary: add --out FILE (or pipe the output into a file)."), file=sys.stderr)
        return 2
    return write_out(compare.render(comparison, args.format), args.out, args.format)


def write_out(body: bytes, out: str | None, fmt: str) -> int:
    """Write bytes to a file, or to standard output without one."""
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return 0
    try:
        with open(out, "wb") as f:
            f.write(body)
    except OSError as error:
        print(_("Cannot write {path}: {reason}.", path=out, reason=error.strerror or error), file=sys.stderr)
        return 1
    print(_("Wrote {path} ({format}, {size} bytes).", path=out, format=fmt, size=len(body)), file=sys.stderr)
    return 0


def confirm(question: str, assume_yes: bool) -> bool:
    """Ask for a yes on the terminal unless --yes was given."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        print(_("Refusing without confirmation: add --yes."), file=sys.stderr)
        return False
    return input(_("{question} [y/N] ", question=question)).strip().lower() in ("y", "yes", "j", "ja")


def sessions_command(args) -> int:
    """List, delete or purge sessions."""
    live = open_existing(args.data_dir, write=args.sessions_command != "list")
    if args.sessions_command == "list":
        return list_sessions(live.sessions())
    if args.sessions_command == "link":
        return link_command(live, args)
    if args.sessions_command == "delete":
        room = live.room(args.code)
        if room is None:
            print(_("No session with code {code}.", code=args.code), file=sys.stderr)
            return 1
        list_sessions(live.sessions([room.code]), total=False)
        if not confirm(_("Delete session {code} ({title}) with all its answers?", code=room.code, title=room.title), args.yes):
            return 1
        live.delete(room.code)
        print(_("Deleted session {code}.", code=room.code))
        announce(live, [room.code], "sessions_deleted")
        return 0
    return purge_command(live, args)


def list_sessions(rows: list[dict[str, Any]], total: bool = True) -> int:
    """Print sessions a line each: code, created, last changed (what purge goes by), stage, people, title."""
    print(f"{_('CODE'):<8} {_('CREATED'):<25} {_('CHANGED'):<25} {_('STAGE'):<8} {_('PEOPLE'):>6}  {_('TITLE')}")
    for s in rows:
        print(f"{s['code']:<8} {s['created_at']:<25} {s['updated_at']:<25} {s['stage']:<8} {s['participants']:>6}  "
              f"{s['title']}")
    if total:
        print(n_("{n} session", "{n} sessions", len(rows)))
    return 0


def purge_command(live, args) -> int:
    """Delete the sessions unchanged for DAYS (at least one), after listing them and asking; --dry-run only lists."""
    days = args.older_than if args.older_than is not None else live.config.retention_days
    if args.older_than is None and days <= 0:
        print(_("RETENTION_DAYS is {days}: sessions are kept, nothing is deleted. Give --older-than DAYS to purge "
                "anyway.", days=days))
        return 0
    try:
        doomed = live.expired(days)
    except ValueError:  # RETENTION_DAYS between 0 and 1: --older-than is checked by its type
        print(_("RETENTION_DAYS must be 0 (keep everything) or at least 1, not {days}.", days=days), file=sys.stderr)
        return 2
    if not doomed:
        print(_("No session is unchanged for more than {days} days: nothing to delete.", days=f"{days:g}"))
        return 0
    print(n_("{n} session unchanged for more than {days} days:", "{n} sessions unchanged for more than {days} days:",
             len(doomed), days=f"{days:g}"))
    list_sessions(doomed, total=False)
    if args.dry_run:
        print(_("Dry run: nothing was deleted."))
        return 0
    if not confirm(n_("Delete this session with all its answers?", "Delete these {n} sessions with all their answers?",
                      len(doomed)), args.yes):
        return 1
    codes = live.purge(days, only={s['code'] for s in doomed})
    print(n_("Deleted {n} session", "Deleted {n} sessions", len(codes)) + (": " + ", ".join(codes) if codes else "") + ".")
    announce(live, codes, "sessions_deleted")
    return 0


def link_command(live, args) -> int:
    """Print a new facilitator link; with --rotate every earlier one stops working."""
    room = live.room(args.code)
    if room is None:
        print(_("No session with code {code}. See `workshop sessions list`.", code=args.code), file=sys.stderr)
        return 1
    if args.rotate and not confirm(_("Stop every earlier facilitator link of session {code} ({title})? Browsers "
                                     "signed in with one are signed out at once.", code=room.code, title=room.title),
                                   args.yes):
        return 1
    token = live.facilitator_link(room, rotate=args.rotate)
    base = (args.public_url or live.config.public_url or "").rstrip("/")
    # The route of pages.manage (the CLI builds no web app); tests/unit/test_facilitator_links.py follows it.
    path = f"/s/{room.code}/manage?t={token}"
    print(f"{base}{path}" if base else path)
    if not base:
        print(_("Put the server's address in front (e.g. http://192.168.1.20:5000), or pass --public-url."),
              file=sys.stderr)
    print(_("Anyone who has this link controls the session.") + " "
          + (_("Every earlier facilitator link has stopped working: browsers signed in with one are signed out "
               "and their open facilitator pages are disconnected.")
             if args.rotate else
             _("Earlier facilitator links keep working: the first one and the newest {max} others. An older one stops "
               "working, and browsers signed in with it are signed out at once. Add --rotate to stop every earlier link.",
               max=live.config.facilitator_links_max)),
          file=sys.stderr)
    announce(live, [room.code], "links_revoked")
    return 0


def announce(live, codes: list[str], event: str) -> None:
    """Tell the running workers through the message queue (when MESSAGE_QUEUE is set) which sessions changed."""
    url = live.config.message_queue
    if not url or not codes:
        return  # one process: its DeletionWatcher sees the change in the database
    from workshop.web.workers import announce as publish

    try:
        publish(url, event, codes)
    except Exception as error:  # the change stands; the workers' DeletionWatcher still finds it
        print(_("Could not tell the workers through {url} ({error}); they notice within DELETION_CHECK_INTERVAL.",
                url=url, error=error), file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
