"""`accord pubsub status|sync|cutover|plan|apply|topology`: Pub/Sub enforcement, asked of the registry (never of Pub/Sub itself)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients._pubsub import PubSubTopicStatus
from clients.cli import EXIT_BREAKING, EXIT_OK, add_registry_option, pubsub_topology
from clients.cli._common import emit_data, guarded, one_line, registry


def register(commands: Any) -> None:
    group: argparse.ArgumentParser = commands.add_parser(
        "pubsub",
        help="Pub/Sub enforcement: status, sync, cutover, plan, apply, topology (asks the registry)",
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    status = actions.add_parser(
        "status",
        help="per topic: Pub/Sub schema, revisions, range, encoding, last sync, pending work, "
        "errors and drift (exit 1 when a topic has an error or drift)",
    )
    _options(status)
    status.set_defaults(handler=guarded(show_status))

    sync = actions.add_parser(
        "sync", help="deliver every sync the registry owes Pub/Sub now (exit 1 if one fails)"
    )
    sync.add_argument(
        "--repair",
        action="store_true",
        help="also restore the registry's truth on every topic that drifted (admin)",
    )
    _options(sync)
    sync.set_defaults(handler=guarded(run_sync))

    cutover = actions.add_parser(
        "cutover",
        help="move TOPIC to its newest Pub/Sub schema generation: Pub/Sub then refuses the "
        "older versions' messages",
    )
    cutover.add_argument("topic")
    _options(cutover)
    cutover.set_defaults(handler=guarded(run_cutover))

    pubsub_topology.register_actions(actions)


def _options(parser: argparse.ArgumentParser) -> None:
    add_registry_option(parser)
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    parser.add_argument("--output", metavar="FILE", help="write the output to FILE")


def _versions(numbers: tuple[int, ...]) -> str:
    return ", ".join(str(n) for n in numbers) or "none"


def _topic_lines(topic: PubSubTopicStatus) -> str:
    if not topic.enforceable:
        return f"{topic.topic}  {topic.schema_type or '-'}  not enforced: {one_line(topic.note or '')}\n"
    where = topic.schema or "(not synced yet)"
    lines = [
        f"{topic.topic}  {topic.schema_type}  {topic.revisions_policy}  {topic.encoding}  "
        f"schema {where}  accepts versions {_versions(topic.accepted_versions)}  "
        f"last sync {topic.last_sync or 'never'}"
    ]
    kept = [r for r in topic.revisions if not r.get("pruned")]
    if kept:
        lines.append(
            "  revisions: "
            + ", ".join(
                f"v{r.get('version')} {r.get('revisionId')} (gen {r.get('generation')})"
                for r in kept
            )
        )
    if topic.pending is not None:
        pending = topic.pending
        error = f", last error: {one_line(str(pending['error']))}" if pending.get("error") else ""
        lines.append(
            f"  pending: {pending.get('reason')}, attempt {pending.get('attempts')}, next "
            f"{pending.get('nextAttempt')}{error}"
        )
    lines += [f"  ahead: {one_line(sentence)}" for sentence in topic.forecast]
    lines += [f"  drift: {one_line(found)}" for found in topic.drift]
    if topic.error:
        lines.append(f"  error: {one_line(topic.error)}")
    return "".join(line + "\n" for line in lines)


def show_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        found = client.pubsub_status()
    if not found.enabled:
        text = "Pub/Sub enforcement is off on this registry (ACCORD_PUBSUB_PROJECT is not set)\n"
    else:
        checked = (
            "drift checked"
            if found.drift_checked
            else f"drift unknown: {one_line(found.pubsub_error or 'Pub/Sub not read')}"
        )
        text = f"Pub/Sub project {found.project} ({checked})\n" + "".join(
            _topic_lines(t) for t in found.topics
        )
    emit_data(args, out, found.to_json(), text)
    troubled = found.pubsub_error is not None or any(t.error or t.drift for t in found.topics)
    return EXIT_BREAKING if troubled else EXIT_OK


def run_sync(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        report = client.pubsub_sync(repair=args.repair)
    lines = [
        f"synced {len(report.synced)} topic(s)"
        + (f": {', '.join(report.synced)}" if report.synced else "")
    ]
    if report.repaired:
        lines.append(f"repaired drift on {', '.join(report.repaired)}")
    lines += [f"failed {topic}: {one_line(error)}" for topic, error in report.failed]
    still = [t for t in report.waiting if t not in {f for f, _ in report.failed}]
    if still:
        lines.append(f"still owed (another replica holds them): {', '.join(still)}")
    emit_data(args, out, report.to_json(), "".join(line + "\n" for line in lines))
    return EXIT_BREAKING if report.failed else EXIT_OK


def run_cutover(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        done = client.pubsub_cutover(args.topic)
    text = (
        f"{done.topic} cuts over to Pub/Sub schema generation {done.to_generation}: Pub/Sub "
        f"accepts versions {_versions(done.accepted_versions)}"
        + (
            f" and refuses versions {_versions(done.refused_versions)}"
            if done.refused_versions
            else ""
        )
        + " once the registry has synced it\n"
    )
    emit_data(args, out, done.to_json(), text)
    return EXIT_OK
