"""The heuristic planner, for more candidates than the exact one takes; it always answers a feasible plan.

  1. the dynamic programme of `plan_exact` restricted to a beam: each layer keeps only the
     `HEURISTIC_BEAM` labels that finish earliest;
  2. separately, the best chain of events alone (exact: events fix their own times);
  3. on both, cheapest insertion of left-out stops (earliest visit window), then local search until no
     move helps: relocate one stop to its best position, or drop one stop and refill by cheapest
     insertion (which can trade one stop for two);
  4. the better of the two.
On random realistic days of 10 stops it matches the exact optimum in nearly every case (see
bench/bench_itinerary.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.wayfinding.plan_exact import search
from server.wayfinding.plan_problem import Plan, Problem

HEURISTIC_BEAM = 300


def heuristic(problem: Problem) -> Plan:
    starts = [search(problem, HEURISTIC_BEAM), _follow(problem, _best_event_chain(problem)) or ()]
    return min((_improve(problem, _insert(problem, plan)) for plan in starts), key=_objective)


def _best_event_chain(problem: Problem) -> list[int]:
    times = problem.event_times
    events = sorted((i for i in problem.candidates if times[i]), key=lambda i: (times[i], i))
    # Per event: (events in the best chain ending there, its travel, previous event).
    chains: dict[int, tuple[int, int, int | None]] = {}
    for j in events:
        options = [(1, visit.duration, None) for visit in problem.visits(-1, j, problem.start, every_window=False)]
        for i, (count, travel, _) in chains.items():
            for visit in problem.visits(i, j, times[i][1], every_window=False):
                options.append((count + 1, travel + visit.duration, i))
        if options:
            chains[j] = min(options, key=lambda o: (-o[0], o[1]))
    if not chains:
        return []
    last: int | None = min(chains, key=lambda j: (-chains[j][0], chains[j][1], j))
    order = []
    while last is not None:
        order.append(last)
        last = chains[last][2]
    return order[::-1]


def _follow(problem: Problem, order: Sequence[int], plan: Plan = (), position: int = 0) -> Plan | None:
    """The schedule that does `order` after the first `position` visits of `plan` (earliest windows),
    or None if a stop does not fit. When `order` ends with the stops of `plan[position:]` and one of
    them is left at its old time, the rest of `plan` cannot change and is reused."""
    done = list(plan[:position])
    origin, depart = (done[-1].stop, done[-1].leave) if done else (-1, problem.start)
    tail = plan[position:]
    for offset, stop in enumerate(order):
        options = problem.visits(origin, stop, depart, every_window=False)
        if not options:
            return None
        visit = options[0]
        done.append(visit)
        origin, depart = stop, visit.leave
        old = offset - (len(order) - len(tail))
        if 0 <= old < len(tail) and tail[old].leave == visit.leave and tail[old].stop == stop:
            return tuple(done) + tail[old + 1 :]
    return tuple(done)


def _insert(problem: Problem, plan: Plan) -> Plan:
    """Cheapest insertion until no left-out candidate fits anywhere."""
    while True:
        placed = {visit.stop for visit in plan}
        options = [
            result
            for stop in problem.candidates
            if stop not in placed
            for position in range(len(plan) + 1)
            if (result := _with(problem, plan, stop, position)) is not None
        ]
        if not options:
            return plan
        plan = min(options, key=_objective)


def _with(problem: Problem, plan: Plan, stop: int, position: int) -> Plan | None:
    before = plan[position - 1].leave if position else problem.start
    if before > problem.latest_arrival[stop]:
        return None
    return _follow(problem, [stop] + [visit.stop for visit in plan[position:]], plan, position)


def _improve(problem: Problem, plan: Plan) -> Plan:
    """Relocate and drop-and-refill moves, first improvement, until none helps."""
    improved = True
    while improved:
        improved = False
        for index in range(len(plan)):
            rest = _follow(problem, [visit.stop for i, visit in enumerate(plan) if i != index])
            if rest is None:
                continue
            moved = [_with(problem, rest, plan[index].stop, p) for p in range(len(rest) + 1)]
            candidates = [c for c in moved if c is not None] + [_insert(problem, rest)]
            better = min(candidates, key=_objective)
            if _objective(better) < _objective(plan):
                plan, improved = better, True
                break
    return plan


def _objective(plan: Plan) -> tuple[int, int, int]:
    """Smaller is better: most stops, then least travel, then earliest finish."""
    return (-len(plan), sum(visit.duration for visit in plan), plan[-1].leave if plan else 0)
