"""The exact planner: a dynamic programme over (set of stops done, last stop), one layer per number of stops.

Per state it keeps the labels (finish time f, travel t) that are not dominated, where label A dominates B
when f_A ≤ f_B and t_A − f_A ≤ t_B − f_B. That rule is sound whenever travel is FIFO (leaving later never
arrives earlier, which `travel.travel_time` guarantees even across rush hours): A can follow every
continuation of B, arriving no later, and the extra travel A may spend by leaving earlier is at most the
head start f_B − f_A that the rule already charged it. Venue visits branch over every opening window, so a
later window stays available to A as it was to B.

With a beam the same programme is the heuristic's first guess (`plan_heuristic`): each layer keeps only
the labels that finish earliest, a restricted DP in the manner of Malandraki and Dial, 1996.
"""

from __future__ import annotations

from server.wayfinding.plan_problem import Plan, Problem, Visit

# A DP label: (finish, travel − finish, travel, visits so far as a linked list (visit, previous)).
_Label = tuple[int, int, int, "tuple[Visit, object] | None"]


def search(problem: Problem, beam: int | None) -> Plan:
    """The best plan among `problem.candidates`: exact with `beam` None; otherwise each layer keeps only
    the `beam` labels that finish earliest."""
    stops = problem.candidates
    layer: dict[tuple[int, int], list[_Label]] = {(0, -1): [(problem.start, -problem.start, 0, None)]}
    best, best_chain = (0, 0, problem.start), None
    while layer:
        following: dict[tuple[int, int], list[_Label]] = {}
        for (mask, last), labels in layer.items():
            count = mask.bit_count()
            origin = -1 if last < 0 else stops[last]
            for finish, _, travel, chain in labels:
                if (-count, travel, finish) < (-best[0], best[1], best[2]):
                    best, best_chain = (count, travel, finish), chain
                for j, stop in enumerate(stops):
                    bit = 1 << j
                    if mask & bit:
                        continue
                    for visit in problem.visits(origin, stop, finish, every_window=True):
                        spent = travel + visit.duration
                        label = (visit.leave, spent - visit.leave, spent, (visit, chain))
                        _add_label(following.setdefault((mask | bit, j), []), label)
        layer = following if beam is None else _narrow(following, beam)
    visits: list[Visit] = []
    while best_chain is not None:
        visit, best_chain = best_chain
        visits.append(visit)
    return tuple(reversed(visits))


def _add_label(labels: list[_Label], label: _Label) -> None:
    """Add `label` unless one in `labels` dominates it; drop those it dominates."""
    finish, key = label[0], label[1]
    for other in labels:
        if other[0] <= finish and other[1] <= key:
            return
    labels[:] = [other for other in labels if not (finish <= other[0] and key <= other[1])]
    labels.append(label)


def _narrow(layer: dict[tuple[int, int], list[_Label]], beam: int) -> dict[tuple[int, int], list[_Label]]:
    """The `beam` labels of a layer that finish earliest (then travel least), by state."""
    ranked = sorted(
        ((label[0], label[2], state, index) for state, labels in layer.items() for index, label in enumerate(labels))
    )[:beam]
    kept: dict[tuple[int, int], list[_Label]] = {}
    for _, _, state, index in ranked:
        kept.setdefault(state, []).append(layer[state][index])
    return kept
