"""The core's own Prometheus counters: questions answered and declined, and how long answers took.

Counted in the process that runs the turn (a Slack answering worker, a web process); `pathway serve`
shares its workers' counts through prometheus-client's multiprocess mode (bot.metrics). Labels are
organisation ids and fixed words only, never anything a person wrote.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

QUESTIONS = Counter(
    "pathway_questions",
    "Questions put to the policy answers, by organisation and outcome "
    "(answered; unsure: answered with low confidence; clarify: asked back which of two readings was "
    "meant; declined: the policy does not say, or it is off topic).",
    ["org", "outcome"],
)
ANSWER_SECONDS = Histogram(
    "pathway_answer_seconds",
    "Time to answer a question from the policy pack, by organisation.",
    ["org"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
