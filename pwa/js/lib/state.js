// The attendee's own state (favourites, settings) as the phone shows it: the server's last answer
// with every mutation still waiting in the outbox replayed on top, in order.

export const MUTATIONS = ['favourite.set', 'favourite.unset', 'settings.set'];

export function emptyState() {
  return { favourites: [], settings: {} };
}

/** The state after one mutation (a new object; unknown mutations change nothing). */
export function applyMutation(state, mutation) {
  const favourites = new Set(state.favourites);
  let settings = state.settings;
  const args = mutation.args || {};
  if (mutation.name === 'favourite.set') favourites.add(args.event_id);
  else if (mutation.name === 'favourite.unset') favourites.delete(args.event_id);
  else if (mutation.name === 'settings.set') {
    settings = { ...settings };
    for (const [key, value] of Object.entries(args)) if (value !== null && value !== undefined) settings[key] = value;
  }
  return { favourites: [...favourites], settings };
}

export function replay(state, mutations) {
  return mutations.reduce(applyMutation, state || emptyState());
}
