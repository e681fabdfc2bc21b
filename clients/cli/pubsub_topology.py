"""`accord pubsub plan|apply|topology`: the one-subscription-per-team topology, asked of the registry (never of Pub/Sub itself)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients._topology import PlannedChange, Topology, TopologyPlan
from clients.cli import EXIT_BREAKING, EXIT_OK, add_registry_option
from clients.cli._common import emit_data, guarded, one_line, registry


def register_actions(actions: Any) -> None:
    """Add plan, apply and topology to the `accord pubsub` group's sub-commands."""
    plan = actions.add_parser(
        "plan",
        help="the difference between the registry and Pub/Sub's topics and subscriptions "
        "(changes nothing; exit 1 when a topic cannot be made)",
    )
    _options(plan)
    plan.set_defaults(handler=guarded(run_plan))
    apply = actions.add_parser(
        "apply",
        help="make Pub/Sub match the registry, idempotently (admin; exit 1 when a topic cannot "
        "be made)",
    )
    _options(apply)
    apply.set_defaults(handler=guarded(run_apply))
    topology = actions.add_parser(
        "topology", help="producer team -> topic -> subscriptions -> consumer teams"
    )
    add_registry_option(topology)
    _output_options(topology)
    topology.set_defaults(handler=guarded(show_topology))


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    parser.add_argument("--output", metavar="FILE", help="write the output to FILE")


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--prune",
        action="store_true",
        help="also delete the subscriptions Accord made whose team no longer has a contract",
    )
    add_registry_option(parser)
    _output_options(parser)


def _change(change: PlannedChange) -> str:
    if change.action == "CREATE_TOPIC":
        line = f"+ topic {change.resource}"
    elif change.action == "DELETE_SUBSCRIPTION":
        line = f"- subscription {change.resource} on {change.topic}"
    else:
        sign = "+" if change.action == "CREATE_SUBSCRIPTION" else "~"
        line = f"{sign} subscription {change.resource} on {change.topic}, ack deadline "
        line += f"{change.ack_deadline_seconds} s"
        if change.dead_letter_topic:
            line += (
                f", dead letters to {change.dead_letter_topic} after "
                f"{change.max_delivery_attempts} attempts"
            )
        if change.changes:
            line += f" (changes {', '.join(change.changes)})"
    return "  " + one_line(f"{line}: {change.reason}")


def _plan_text(found: TopologyPlan, *, applied: bool) -> str:
    count = len(found.changes)
    if found.in_sync:
        lines = [f"Pub/Sub project {found.project} already matches the registry."]
    elif applied:
        lines = [f"Applied {count} change{'s' * (count != 1)} to Pub/Sub project {found.project}:"]
    else:
        lines = [
            f"{count} change{'s' * (count != 1)} planned for Pub/Sub project {found.project} "
            f"(run `accord pubsub apply{' --prune' if found.prune else ''}` to make them):"
        ]
    lines += [_change(change) for change in found.changes]
    if found.uncontracted:
        lines.append("Uncontracted subscriptions (a consumer Accord cannot protect):")
        for item in found.uncontracted:
            who = f"team {item.team}" if item.team else "team unknown"
            made = ", made by Accord (--prune deletes it)" if item.managed_by_accord else ""
            lines.append(
                "  " + one_line(f"{item.subscription} on {item.topic} ({who}, no contract{made})")
            )
    if found.unsubscribed:
        lines.append("Contracts without a subscription:")
        for missing in found.unsubscribed:
            lines.append(
                "  "
                + one_line(
                    f"{missing.team} on {missing.topic} (contract version "
                    f"{missing.contract_version}): {missing.subscription}: {missing.reason}"
                )
            )
    if found.problems:
        lines.append("Problems (these topics are left out, whole):")
        lines += ["  " + one_line(f"{p.topic}: {p.message}") for p in found.problems]
    return "\n".join(lines) + "\n"


def _emit_plan(args: argparse.Namespace, out: TextIO, found: TopologyPlan, *, applied: bool) -> int:
    emit_data(args, out, dict(found.body), _plan_text(found, applied=applied))
    return EXIT_BREAKING if found.problems else EXIT_OK


def run_plan(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        found = client.pubsub_plan(prune=args.prune)
    return _emit_plan(args, out, found, applied=False)


def run_apply(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        done = client.pubsub_apply(prune=args.prune)
    return _emit_plan(args, out, done, applied=True)


def _topology_text(found: Topology) -> str:
    lines = [f"Pub/Sub project {found.project}"]
    for producer in found.producers:
        lines.append(one_line(f"producer {producer.get('team') or '(no owner team)'}"))
        for topic in producer.get("topics", []):
            versions = ", ".join(str(v) for v in topic.get("liveVersions", [])) or "none"
            state = "" if topic.get("exists") else " (not on Pub/Sub yet)"
            lines.append("  " + one_line(f"topic {topic['topic']} (versions {versions}){state}"))
            for sub in topic.get("subscriptions", []):
                state = "" if sub.get("exists") else " (missing)"
                lines.append(
                    "    "
                    + one_line(
                        f"{sub.get('subscription')} -> {sub.get('team')} "
                        f"(contract version {sub.get('contractVersion')}){state}"
                    )
                )
            for sub in topic.get("uncontractedSubscriptions", []):
                lines.append(
                    "    "
                    + one_line(
                        f"{sub.get('subscription')} -> {sub.get('team') or 'team unknown'} "
                        "(UNCONTRACTED: Accord cannot protect it)"
                    )
                )
    lines += [one_line(f"problem: {p.topic}: {p.message}") for p in found.problems]
    return "\n".join(lines) + "\n"


def show_topology(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        found = client.pubsub_topology()
    emit_data(args, out, dict(found.body), _topology_text(found))
    return EXIT_OK
