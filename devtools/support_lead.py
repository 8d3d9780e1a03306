"""What a support lead looks at first, computed with SQL from the export job's DuckDB warehouse.

`python devtools/support_lead.py WAREHOUSE.duckdb` prints it (scripts/demo does, with the Python of
target-duckdb's venv: this file needs only the standard library and `duckdb`, so that venv runs it as it
is). `QUERIES` are the SQL, one figure set each; tests/e2e checks them against the sandbox's own data.
"""

from __future__ import annotations

import sys
from typing import Any

# target-duckdb keeps a nested object as JSON text: Zendesk's durations are {calendar, business} minutes.
# A deleted ticket's metrics and metric events are flagged `deleted`, not dropped: left out here.
QUERIES: dict[str, str] = {
    # Tickets with a metric set, replied to, resolved; median first reply and full resolution, in minutes.
    "times": """
        with minutes as (
            select cast(json_extract_string(reply_time_in_minutes, '$.calendar') as integer) as reply,
                   cast(json_extract_string(full_resolution_time_in_minutes, '$.calendar') as integer)
                       as resolution
            from zendesk.ticket_metrics where not coalesce(deleted, false)
        )
        select count(*), count(reply), count(resolution), median(reply), median(resolution) from minutes
    """,
    # SLA breaches by metric (Zendesk's metric events of type `breach`), and on how many tickets.
    "breaches": """
        select metric, count(*), count(distinct ticket_id)
        from zendesk.ticket_metric_events where type = 'breach' and not coalesce(deleted, false)
        group by metric order by metric
    """,
    # Tickets an SLA policy applied to.
    "with_sla": """
        select count(distinct ticket_id)
        from zendesk.ticket_metric_events where type = 'apply_sla' and not coalesce(deleted, false)
    """,
    # Satisfaction ratings by score (offered: asked, not answered).
    "ratings": "select score, count(*) from zendesk.satisfaction_ratings group by score order by score",
    # The three longest conversations: most comments, then the most text, then the oldest ticket.
    "longest": """
        select c.ticket_id, any_value(t.subject), count(*), sum(length(c.body))
        from zendesk.ticket_comments c left join zendesk.tickets t on t.id = c.ticket_id
        group by c.ticket_id order by 3 desc, 4 desc, 1 limit 3
    """,
}


def _duration(minutes: float | None) -> str:
    if minutes is None:
        return "none yet"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def summary(rows: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """The summary's lines from each query's rows."""
    tickets, replied, resolved, first_reply, resolution = rows["times"][0]
    lines = [
        f"median first reply (calendar time): {_duration(first_reply)} ({replied:,} of {tickets:,} tickets)",
        f"median full resolution: {_duration(resolution)} ({resolved:,} tickets solved)",
    ]
    with_sla = rows["with_sla"][0][0]
    breaches = ", ".join(f"{metric} {count:,} on {on:,} tickets" for metric, count, on in rows["breaches"])
    lines.append(f"SLA breaches: {breaches or 'none'} (of {with_sla:,} tickets under an SLA policy)")
    scores = dict(rows["ratings"])
    good, bad = scores.get("good", 0), scores.get("bad", 0)
    share = f", {good / (good + bad):.0%} good" if good + bad else ""
    lines.append(
        f"satisfaction: {good:,} good, {bad:,} bad{share} ({scores.get('offered', 0):,} offered, unanswered)"
    )
    lines.append("longest conversations:")
    lines += [
        f"  ticket {ticket}: {comments} comments, {chars:,} characters, {subject!r}"
        for ticket, subject, comments, chars in rows["longest"]
    ]
    return lines


def main(argv: list[str]) -> None:
    """Print the summary of the warehouse file named in `argv`."""
    import duckdb  # noqa: PLC0415 - only in target-duckdb's venv, where this runs

    connection = duckdb.connect(argv[1], read_only=True)
    rows = {name: connection.sql(sql).fetchall() for name, sql in QUERIES.items()}
    lines = [f"what a support lead looks at first ({argv[1]}; the SQL: devtools/support_lead.py):"]
    sys.stdout.write("".join(f"   {line}\n" for line in lines + [f"  {line}" for line in summary(rows)]))


if __name__ == "__main__":
    main(sys.argv)
