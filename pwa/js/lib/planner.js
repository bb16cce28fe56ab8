// The day planner of server/wayfinding/planner.py, line for line, so a phone without signal plans the same
// day the server would: the most stops, then the least travel, then the earliest finish. Exact (a dynamic
// programme over the set of stops done and the last one) up to EXACT_MAX_STOPS stops that can fit; beyond,
// the same heuristic as the server (beam search, best chain of events, cheapest insertion, local search).
// Times are whole seconds since the epoch. tests/unit/test_travel_parity.py compares plans with Python's.

export const EXACT_MAX_STOPS = 10;
export const MAX_STOPS = 25;
export const HEURISTIC_BEAM = 300;

export class InvalidItinerary extends Error {}

/** Python's tuple comparison of two arrays of numbers. */
function lessThan(a, b) {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] < b[i]) return true;
    if (a[i] > b[i]) return false;
  }
  return false;
}

/** The first element with the smallest key (Python's min(items, key=…)). */
function minBy(items, key) {
  let best = items[0];
  let bestKey = key(best);
  for (let i = 1; i < items.length; i += 1) {
    const k = key(items[i]);
    if (lessThan(k, bestKey)) {
      best = items[i];
      bestKey = k;
    }
  }
  return best;
}

const popcount = (n) => {
  let count = 0;
  let x = n;
  while (x) {
    x &= x - 1;
    count += 1;
  }
  return count;
};

const objective = (plan) => [-plan.length, plan.reduce((sum, v) => sum + v.duration, 0), plan.length ? plan[plan.length - 1].leave : 0];

function check(request) {
  if (request.stops.length > MAX_STOPS) throw new InvalidItinerary(`a plan takes at most ${MAX_STOPS} stops, not ${request.stops.length}`);
  const ids = request.stops.map((s) => s.id);
  if (new Set(ids).size !== ids.length) throw new InvalidItinerary('each stop may appear only once');
  for (const stop of request.stops) {
    if (stop.kind === 'event') {
      if (stop.endsAt <= stop.startsAt) throw new InvalidItinerary(`event ${stop.id} ends before it starts`);
    } else {
      if (stop.dwellMin < 1) throw new InvalidItinerary(`venue ${stop.id} needs a dwell of at least one minute`);
      if (stop.windows.some(([open, close]) => close <= open)) {
        throw new InvalidItinerary(`venue ${stop.id} has an opening window that closes before it opens`);
      }
    }
  }
  if (request.endAt !== null && request.endAt !== undefined && request.endAt <= request.startAt) {
    throw new InvalidItinerary('end_at must be after start_at');
  }
}

class Problem {
  constructor(request, travelTime) {
    this.request = request;
    this.start = request.startAt;
    this.end = request.endAt ?? Infinity;
    this.travelTime = travelTime;
    this.legs = new Map();
    this.locations = [];
    this.eventTimes = [];
    this.windows = [];
    this.latestArrival = [];
    this.candidates = [];
    request.stops.forEach((stop, index) => {
      this.locations.push(stop.location);
      let fits;
      if (stop.kind === 'event') {
        this.eventTimes.push([stop.startsAt, stop.endsAt]);
        this.windows.push([]);
        this.latestArrival.push(stop.startsAt);
        fits = stop.startsAt >= this.start && stop.endsAt <= this.end;
      } else {
        const dwell = stop.dwellMin * 60;
        const spans = stop.windows.map(([o, c]) => [Math.max(o, this.start), Math.min(c, this.end) - dwell])
          .sort((x, y) => x[0] - y[0] || x[1] - y[1])
          .filter(([earliest, latest]) => earliest <= latest);
        this.eventTimes.push(null);
        this.windows.push(spans);
        this.latestArrival.push(spans.length ? Math.max(...spans.map((s) => s[1])) : -Infinity);
        fits = spans.length > 0;
      }
      if (fits) this.candidates.push(index);
    });
  }

  legSeconds(origin, destination, depart) {
    const key = `${origin},${destination},${depart}`;
    if (!this.legs.has(key)) {
      const here = origin < 0 ? this.request.start : this.locations[origin];
      const seconds = this.travelTime(here, this.locations[destination], depart);
      if (!(seconds >= 0)) throw new Error(`travel time must be a non-negative number of seconds, not ${seconds}`);
      this.legs.set(key, seconds === Infinity ? null : Math.floor(seconds + 0.5));
    }
    return this.legs.get(key);
  }

  visits(origin, destination, depart, everyWindow) {
    if (depart > this.latestArrival[destination]) return [];
    const duration = this.legSeconds(origin, destination, depart);
    if (duration === null) return [];
    const arrive = depart + duration;
    const times = this.eventTimes[destination];
    if (times) {
      const [starts, ends] = times;
      return arrive <= starts ? [{ stop: destination, depart, duration, arrive, begin: starts, leave: ends }] : [];
    }
    const dwell = this.request.stops[destination].dwellMin * 60;
    const found = [];
    for (const [earliest, latest] of this.windows[destination]) {
      const begin = Math.max(arrive, earliest);
      if (begin <= latest) {
        found.push({ stop: destination, depart, duration, arrive, begin, leave: begin + dwell });
        if (!everyWindow) break;
      }
    }
    return found;
  }

  follow(order, plan = [], position = 0) {
    const done = plan.slice(0, position);
    let origin = done.length ? done[done.length - 1].stop : -1;
    let depart = done.length ? done[done.length - 1].leave : this.start;
    const tail = plan.slice(position);
    for (let offset = 0; offset < order.length; offset += 1) {
      const stop = order[offset];
      const options = this.visits(origin, stop, depart, false);
      if (!options.length) return null;
      const visit = options[0];
      done.push(visit);
      origin = stop;
      depart = visit.leave;
      const old = offset - (order.length - tail.length);
      if (old >= 0 && old < tail.length && tail[old].leave === visit.leave && tail[old].stop === stop) {
        return done.concat(tail.slice(old + 1));
      }
    }
    return done;
  }

  search(beam) {
    const stops = this.candidates;
    const stateKey = (mask, last) => mask * 64 + (last + 1);
    let layer = new Map([[stateKey(0, -1), { mask: 0, last: -1, labels: [[this.start, -this.start, 0, null]] }]]);
    let best = [0, 0, this.start];
    let bestChain = null;
    while (layer.size) {
      const following = new Map();
      for (const { mask, last, labels } of layer.values()) {
        const count = popcount(mask);
        const origin = last < 0 ? -1 : stops[last];
        for (const [finish, , travel, chain] of labels) {
          if (lessThan([-count, travel, finish], [-best[0], best[1], best[2]])) {
            best = [count, travel, finish];
            bestChain = chain;
          }
          for (let j = 0; j < stops.length; j += 1) {
            const bit = 2 ** j;
            if (Math.floor(mask / bit) % 2) continue;
            for (const visit of this.visits(origin, stops[j], finish, true)) {
              const spent = travel + visit.duration;
              const key = stateKey(mask + bit, j);
              if (!following.has(key)) following.set(key, { mask: mask + bit, last: j, labels: [] });
              addLabel(following.get(key).labels, [visit.leave, spent - visit.leave, spent, [visit, chain]]);
            }
          }
        }
      }
      layer = beam === null ? following : narrow(following, beam);
    }
    const visits = [];
    while (bestChain !== null) {
      visits.push(bestChain[0]);
      bestChain = bestChain[1];
    }
    return visits.reverse();
  }

  heuristic() {
    const starts = [this.search(HEURISTIC_BEAM), this.follow(this.bestEventChain()) || []];
    return minBy(starts.map((plan) => this.improve(this.insert(plan))), objective);
  }

  bestEventChain() {
    const events = this.candidates.filter((i) => this.eventTimes[i])
      .sort((i, j) => this.eventTimes[i][0] - this.eventTimes[j][0] || this.eventTimes[i][1] - this.eventTimes[j][1] || i - j);
    const chains = new Map();
    for (const j of events) {
      const options = this.visits(-1, j, this.start, false).map((visit) => [1, visit.duration, null]);
      for (const [i, [count, travel]] of chains) {
        for (const visit of this.visits(i, j, this.eventTimes[i][1], false)) options.push([count + 1, travel + visit.duration, i]);
      }
      if (options.length) chains.set(j, minBy(options, (o) => [-o[0], o[1]]));
    }
    if (!chains.size) return [];
    let last = minBy([...chains.keys()], (j) => [-chains.get(j)[0], chains.get(j)[1], j]);
    const order = [];
    while (last !== null) {
      order.push(last);
      last = chains.get(last)[2];
    }
    return order.reverse();
  }

  insert(start) {
    let plan = start;
    for (;;) {
      const placed = new Set(plan.map((v) => v.stop));
      const options = [];
      for (const stop of this.candidates) {
        if (placed.has(stop)) continue;
        for (let position = 0; position <= plan.length; position += 1) {
          const result = this.with(plan, stop, position);
          if (result !== null) options.push(result);
        }
      }
      if (!options.length) return plan;
      plan = minBy(options, objective);
    }
  }

  with(plan, stop, position) {
    const before = position ? plan[position - 1].leave : this.start;
    if (before > this.latestArrival[stop]) return null;
    return this.follow([stop, ...plan.slice(position).map((v) => v.stop)], plan, position);
  }

  improve(start) {
    let plan = start;
    let improved = true;
    while (improved) {
      improved = false;
      for (let index = 0; index < plan.length; index += 1) {
        const rest = this.follow(plan.filter((_, i) => i !== index).map((v) => v.stop));
        if (rest === null) continue;
        const moved = [];
        for (let p = 0; p <= rest.length; p += 1) moved.push(this.with(rest, plan[index].stop, p));
        const candidates = [...moved.filter((c) => c !== null), this.insert(rest)];
        const better = minBy(candidates, objective);
        if (lessThan(objective(better), objective(plan))) {
          plan = better;
          improved = true;
          break;
        }
      }
    }
    return plan;
  }

  itinerary(plan, method) {
    const stops = this.request.stops;
    const planned = [];
    const legs = [];
    let originId = null;
    let origin = this.request.start;
    for (const visit of plan) {
      const stop = stops[visit.stop];
      planned.push({ id: stop.id, kind: stop.kind, location: stop.location, arriveAt: visit.arrive, startsAt: visit.begin, leaveAt: visit.leave });
      legs.push({
        fromId: originId, toId: stop.id, origin, destination: stop.location, departAt: visit.depart, arriveAt: visit.arrive,
        durationS: visit.duration,
      });
      originId = stop.id;
      origin = stop.location;
    }
    const placed = new Set(plan.map((v) => v.stop));
    const chosenEvents = plan.map((v) => this.eventTimes[v.stop]).filter(Boolean);
    const unplaced = [];
    stops.forEach((stop, i) => {
      if (!placed.has(i)) unplaced.push({ id: stop.id, reason: this.reason(i, chosenEvents) });
    });
    return {
      stops: planned,
      legs,
      travelS: plan.reduce((sum, v) => sum + v.duration, 0),
      finishAt: plan.length ? plan[plan.length - 1].leave : this.start,
      unplaced,
      method,
    };
  }

  reason(index, chosenEvents) {
    const times = this.eventTimes[index];
    const candidate = this.candidates.includes(index);
    if (!times) return candidate ? 'unreachable' : 'closed';
    const [starts, ends] = times;
    if (candidate && chosenEvents.some(([s, e]) => s < ends && starts < e)) return 'overlaps_event';
    return 'unreachable';
  }
}

function addLabel(labels, label) {
  const [finish, key] = label;
  for (const other of labels) if (other[0] <= finish && other[1] <= key) return;
  const kept = labels.filter((other) => !(finish <= other[0] && key <= other[1]));
  labels.length = 0;
  labels.push(...kept, label);
}

function narrow(layer, beam) {
  const ranked = [];
  for (const [state, entry] of layer) {
    entry.labels.forEach((label, index) => ranked.push({ finish: label[0], travel: label[2], mask: entry.mask, last: entry.last, state, index }));
  }
  ranked.sort((a, b) => a.finish - b.finish || a.travel - b.travel || a.mask - b.mask || a.last - b.last || a.index - b.index);
  const kept = new Map();
  for (const r of ranked.slice(0, beam)) {
    const entry = layer.get(r.state);
    if (!kept.has(r.state)) kept.set(r.state, { mask: entry.mask, last: entry.last, labels: [] });
    kept.get(r.state).labels.push(entry.labels[r.index]);
  }
  return kept;
}

/**
 * The best feasible plan.
 * @param {{start: {lat, lon}, startAt: number, endAt?: number|null, stops: object[]}} request times in epoch seconds;
 *   stops are {id, kind: 'event', location, startsAt, endsAt} or {id, kind: 'venue', location, windows: [[open, close]], dwellMin}
 * @param {(from: object, to: object, departS: number) => number} travelTime seconds, or Infinity where there is no way
 * @param {'auto'|'exact'|'heuristic'} method
 */
export function planItinerary(request, travelTime, method = 'auto') {
  check(request);
  const problem = new Problem(request, travelTime);
  const small = problem.candidates.length <= EXACT_MAX_STOPS;
  if (method === 'exact' && !small) throw new InvalidItinerary(`the exact planner takes at most ${EXACT_MAX_STOPS} stops that can fit`);
  const exact = method === 'exact' || (method === 'auto' && small);
  const visits = exact ? problem.search(null) : problem.heuristic();
  return problem.itinerary(visits, exact ? 'exact' : 'heuristic');
}
