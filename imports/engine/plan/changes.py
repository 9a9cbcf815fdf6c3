"""The Changes sheet: each post's planned change in a programme (drafts only; a "New" row for an
unknown post creates it, proposed)."""

from __future__ import annotations

from decimal import Decimal

from imports.engine.fields import CHANGE_FIELDS, LABELS, display
from imports.engine.plan.base import Planner, diff
from imports.engine.results import SheetSummary
from imports.engine.rows import ParsedSheet
from tracker.models import PlannedChange, Post


def plan_changes(planner: Planner, sheet: ParsedSheet) -> None:
    state = planner.state
    summary = planner.plan.summaries.setdefault("changes", SheetSummary(sheet.spec.title))
    seen: dict[tuple[int, tuple[str, str]], int] = {}
    for row in sheet.rows:
        v = row.values
        if row.failed & {
            "programme",
            "org_code",
            "position_number",
            "action",
            "effective_on",
            "destination_code",
        }:
            continue
        name = v["programme"]
        programme_id = state.programmes_by_slug.get(name.lower()) or state.programmes_by_name.get(
            " ".join(name.lower().split())
        )
        if programme_id is None:
            planner.problem(
                sheet,
                row,
                "programme",
                f"unknown programme '{name}': give its slug or its exact name",
            )
            continue
        code, position, action = v["org_code"], v["position_number"], v["action"]
        if not planner.org_known(code):
            planner.problem(sheet, row, "org_code", planner.unknown_org(code))
            continue
        if planner.not_allowed(sheet, row, "org_code", code):
            continue
        destination = v.get("destination_code") or ""
        if destination and not planner.org_known(destination):
            planner.problem(sheet, row, "destination_code", planner.unknown_org(destination))
            continue
        if destination == code and action in PlannedChange.TRANSFERS:
            planner.problem(
                sheet,
                row,
                "destination_code",
                f"a transfer's destination must be another organisation, not {code} itself",
            )
            continue
        key = (code, position)
        org = state.orgs.get(code)
        old_post = state.posts.get((org["id"], position)) if org else None
        post_ref: object = old_post.id if old_post else None
        outcome, changes = "unchanged", []
        if old_post is None and key not in planner.file_posts:
            elsewhere = {state.org_codes[i] for i in state.post_orgs.get(position, ())}
            if action != PlannedChange.Action.NEW:
                where = f" (it is in {', '.join(sorted(elsewhere))})" if elsewhere else ""
                planner.problem(
                    sheet,
                    row,
                    "position_number",
                    f"no post {position} in {code}{where}: it is neither in the tracker nor "
                    "on the Establishment sheet",
                )
                continue
            if elsewhere:
                planner.problem(
                    sheet,
                    row,
                    "position_number",
                    f"position number {position} already belongs to organisation "
                    f"{', '.join(sorted(elsewhere))}",
                )
                continue
            if row.failed & {"title", "band", "wte", "directorate"}:
                continue
            # A "New" row creates its post, proposed, in the row's organisation.
            planner.plan.post_creates.append(
                {
                    "_org": code,
                    "position_number": position,
                    "title": v.get("title") or "New post",
                    "directorate": v.get("directorate") or "",
                    "band": v.get("band") or "other",
                    "wte": v.get("wte") or Decimal("1.0000"),
                    "cost_centre": "",
                    "is_board_level": False,
                    "status": Post.Status.PROPOSED,
                }
            )
            planner.file_posts[key] = row
            planner.new_posts.add(key)
            summary.count("posts", "created")
            outcome = "created"
        if post_ref is None:
            post_ref = key
        dup_key = (programme_id, key)
        if dup_key in seen:
            planner.problem(
                sheet,
                row,
                "position_number",
                f"post {position} of {code} already has a change in this programme at row "
                f"{seen[dup_key]}",
            )
            continue
        seen[dup_key] = row.number
        new = {
            "action": action,
            "destination_position_number": v.get("destination_position_number") or "",
            "effective_on": v["effective_on"],
        }
        if "reason" in v:
            new["reason"] = v["reason"] or ""
        dest_org = state.orgs.get(destination) if destination else None
        existing = (
            state.changes.get((programme_id, post_ref)) if isinstance(post_ref, int) else None
        )
        if existing is None:
            planner.plan.change_creates.append(
                {
                    "programme_id": programme_id,
                    "_post": post_ref,
                    "_destination": destination or None,
                    "status": PlannedChange.Status.DRAFT,
                    "author_id": planner.user_id,
                    "reason": "",
                    **new,
                }
            )
            summary.count("planned changes", "created")
            outcome = "created"
        else:
            if destination and dest_org is None:
                dest_changed = True  # a destination created by this file
            else:
                dest_changed = existing["destination_organisation_id"] != (
                    dest_org["id"] if dest_org else None
                )
            changed = diff(existing, new, CHANGE_FIELDS)
            if changed or dest_changed:
                if existing["status"] != PlannedChange.Status.DRAFT:
                    planner.problem(
                        sheet,
                        row,
                        "action",
                        f"the change to post {position} in this programme is already "
                        f"{existing['status']}; an import only edits drafts (cancel it first "
                        "to replan)",
                    )
                    continue
                merged = {**existing, **new, "author_id": planner.user_id}
                if dest_changed:
                    merged["_destination"] = destination or None
                    old_dest = state.org_codes.get(existing["destination_organisation_id"], "")
                    changes.append([LABELS["destination_organisation_id"], old_dest, destination])
                planner.plan.change_updates.append(merged)
                summary.count("planned changes", "updated")
                if outcome == "unchanged":
                    outcome = "updated"
                changes += [[LABELS[n], display(existing[n]), display(new[n])] for n in changed]
        summary.record(row, f"{code} {position}", outcome, changes)
