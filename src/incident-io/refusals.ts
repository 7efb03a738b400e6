/**
 * What a 401 or a 403 from incident.io tells the user to do: the words the client adds to the
 * error, and the troubleshooting entries that quote them. Both come from the constants below, so
 * a page's troubleshooting entry and the message cannot drift apart: `npm run docs` writes the
 * entries into every page that asks for them (a `begin troubleshooting:` marker), and
 * __tests__/incident-io/refusals.test.ts checks that each real message contains the words its entry quotes.
 *
 * This module imports nothing: `npm run docs` loads it on its own, without a build.
 */

/** The step's credential, as the client knows it: which input the token came from, and what the run says about secrets. */
export interface Credential {
  /** The input whose value went in the Authorization header. */
  input: 'api-key' | 'alert-token';
  /** The job the step runs (`declare`, `resolve`, …): a request that no input asked for is its own. */
  job: string;
  /** For an alert source's token: which kind of source, and the ID in "alert-source-id". */
  source?: { kind: 'HTTP' | 'heartbeat'; id: string };
  /** The event that started the workflow (`workflow_run` for a watcher); empty outside GitHub Actions. */
  event: string;
  /** Why GitHub gave this run no secrets ("this run is for a pull request from a fork"), when it gave none. */
  noSecrets?: string;
}

export const API_KEY_REFUSED = 'incident.io refused the API key in input "api-key"';
export const TOKEN_REFUSED = 'incident.io refused the token in input "alert-token"';
export const NO_SECRETS = 'and GitHub gives such runs no Actions secrets';
export const SCOPE_NEEDED = 'may not make this request: give it the scope';
export const SCOPE_UNPUBLISHED = 'incident.io does not publish the scope for this request';

/** Where the user finds the key or token in incident.io. */
function page(credential: Credential): string {
  const { source } = credential;
  if (!source) return 'incident.io: Settings → API keys';
  return `incident.io: Alerts → Sources → ${source.kind === 'heartbeat' ? 'that heartbeat source' : 'that source'}`;
}

/**
 * The advice after a 401 (or a 403 for an alert source's token, which no scope can fix): which
 * input was sent, what it must hold and where to find that, how to find the secret behind it,
 * and whether this run was given secrets at all.
 */
export function unauthorized(credential: Credential): string {
  const { input, source } = credential;
  const what = source
    ? `${TOKEN_REFUSED}. It must be the token of the ${source.kind} alert source "${source.id}" (${page(credential)}), ` +
      "not an API key or another source's token."
    : `${API_KEY_REFUSED}. It must be an API key of this incident.io workspace that is still listed (${page(credential)}), ` +
      "not an alert source's token.";
  const secret =
    'The action sees the value, not the name of the secret it came from: ' +
    `the step's \`with:\` names it (usually \`${input}: \${{ secrets.… }}\`). ` +
    `Check that this secret holds the current ${source ? 'token' : 'key'}, and that no environment or repository secret of the same name hides the one you updated.`;
  return [what, secret, eventSentence(credential)].filter(Boolean).join(' ');
}

function eventSentence({ event, noSecrets }: Credential): string {
  if (noSecrets) {
    return (
      `${noSecrets.charAt(0).toUpperCase()}${noSecrets.slice(1)}, ${NO_SECRETS} ` +
      '(a Dependabot run reads Dependabot secrets instead: Settings → Secrets and variables → Dependabot), so check where this value came from.'
    );
  }
  return event ? `This run's event ("${event}") is given secrets, so the value is what the secret holds.` : '';
}

/**
 * The advice after a 403 on a request made with the API key: the scope incident.io's spec lists
 * for the request (or that it lists none), and why the action sent it, `sentFor` an input or,
 * when undefined, for the job itself.
 */
export function forbidden(credential: Credential, scopes: readonly string[], sentFor: string | undefined): string {
  if (credential.source) return unauthorized(credential);
  const quoted = scopes.map((s) => `"${s}"`);
  const scope =
    quoted.length > 0
      ? `The API key in input "api-key" ${SCOPE_NEEDED}${quoted.length > 1 ? 's' : ''} ${quoted.join(' and ')} (incident.io: Settings → API keys, edit the key).`
      : `The API key in input "api-key" may not make this request, and ${SCOPE_UNPUBLISHED}: ` +
        'compare the permissions of the key (incident.io: Settings → API keys) with what the step asks of it.';
  const why = sentFor
    ? `The action sent it for input "${sentFor}".`
    : `It is the ${credential.job} job's own request, not a lookup an input asked for.`;
  return `${scope} ${why}`;
}

/** One troubleshooting entry: the words a message says, quoted exactly, and what to do. */
export interface TroubleshootingEntry {
  id: string;
  says: string;
  fix: string;
}

/** The entries a page quotes with `<!-- begin troubleshooting: id id … -->`, by id. */
export const TROUBLESHOOTING: readonly TroubleshootingEntry[] = [
  {
    id: 'api-key-refused',
    says: API_KEY_REFUSED,
    fix:
      "The key is wrong, revoked, or from another workspace. The step's `with:` names the secret `api-key` reads: create a key in incident.io (Settings → API keys) and save it into that secret. " +
      'An environment or repository secret of the same name wins over an organisation secret.',
  },
  {
    id: 'alert-token-refused',
    says: TOKEN_REFUSED,
    fix:
      '`alert-token` must be the token of the alert source that `alert-source-id` names (incident.io: Alerts → Sources → that source; a heartbeat is a source of its own), not an API key. ' +
      "Copy that source's token into the secret the step's `with:` names.",
  },
  {
    id: 'no-secrets',
    says: NO_SECRETS,
    fix:
      "A fork's pull request gets no secrets, so the value came from somewhere else (a variable, a default in the expression). " +
      'A Dependabot run reads Dependabot secrets: store the key there too (Settings → Secrets and variables → Dependabot).',
  },
  {
    id: 'scope-needed',
    says: SCOPE_NEEDED,
    fix:
      'Edit the key in incident.io (Settings → API keys) and give it the scope the message names; the message also names the input that made the step send the request. ' +
      'Every request and its scope: see [Permissions](README.md#permissions).',
  },
  {
    id: 'scope-unpublished',
    says: SCOPE_UNPUBLISHED,
    fix:
      "incident.io's spec lists no scope for it (the edit, incident updates, timestamps). Compare the key's permissions with what the step does: " +
      'an edit or an incident update needs a key allowed to edit incidents.',
  },
];
