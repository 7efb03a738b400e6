/**
 * Incident attachments (`/v1/incident_attachments`): links to external resources on an incident.
 * No idempotency key, as in incident.io: a repeated POST adds a duplicate. IDs are ULID-like and
 * monotonic, so the order of IDs is the order the attachments were made; `DELETE …/{id}` removes one.
 */
import { forbidden, invalid, isObject, newId, notFound, ok, optionalString, required } from './common.mjs';

const RESOURCE_TYPES = [
  'pager_duty_incident',
  'opsgenie_alert',
  'datadog_monitor_alert',
  'github_pull_request',
  'gitlab_merge_request',
  'sentry_issue',
  'jira_issue',
  'jsm_alert',
  'atlassian_statuspage_incident',
  'zendesk_ticket',
  'google_calendar_event',
  'outlook_calendar_event',
  'slack_file',
  'salesforce_case',
  'arbitrary_url',
  'scrubbed',
  'statuspage_incident',
];

const PULL_URL = /^https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\/pull\/(\d+)\/?$/;
const PULL_ID = /^([\w.-]+)\/([\w.-]+)#(\d+)$/;

function allowed(state, scope) {
  if (state.attachmentsForbidden || (scope === 'attachments.destroy' && state.attachmentDeleteForbidden)) {
    throw forbidden(`The API key lacks the ${scope} scope`);
  }
}

/** A pull request given by URL or external ID "owner/repo#123" -> the answer's resource. */
function pullRequest(state, resource) {
  if (!state.githubIntegration) {
    throw invalid(
      'resource.resource_type',
      'No GitHub integration is installed in this incident.io workspace, so a github_pull_request cannot be attached',
    );
  }
  const match = resource.url === undefined ? PULL_ID.exec(resource.external_id) : PULL_URL.exec(resource.url);
  if (!match) {
    throw resource.url === undefined
      ? invalid('resource.external_id', `${JSON.stringify(resource.external_id)} is not a pull request such as acme/shop#128`)
      : invalid('resource.url', `${JSON.stringify(resource.url)} is not a GitHub pull request URL`);
  }
  const [, owner, repo, number] = match;
  const permalink = `https://github.com/${owner}/${repo}/pull/${number}`;
  const known = [...state.pulls, ...Object.values(state.pullsBySha).flat()].find((p) => p.html_url === permalink);
  return {
    external_id: `${owner}/${repo}#${number}`,
    permalink,
    resource_type: 'github_pull_request',
    title: known?.title ?? `${owner}/${repo}#${number}`,
  };
}

/** The answer's resource for a create body's `resource`, or a 422 naming the field at fault. */
function resolveResource(state, resource) {
  if (!isObject(resource)) throw required('resource', 'resource must be an object');
  const type = resource.resource_type;
  if (type === undefined) throw required('resource.resource_type', 'resource_type is required');
  if (!RESOURCE_TYPES.includes(type)) throw invalid('resource.resource_type', `${JSON.stringify(type)} is not a resource type`);
  for (const k of ['url', 'external_id', 'title', 'emoji']) optionalString(resource, k, 'resource.');
  if ((resource.url === undefined) === (resource.external_id === undefined)) {
    throw invalid('resource', 'Give exactly one of resource.url and resource.external_id');
  }
  for (const k of ['title', 'emoji']) {
    if (resource[k] !== undefined && type !== 'arbitrary_url') {
      throw invalid(`resource.${k}`, `${k} is only supported for the arbitrary_url resource type`);
    }
  }
  if (type === 'github_pull_request') return pullRequest(state, resource);
  if (type !== 'arbitrary_url') {
    throw invalid('resource.resource_type', `No integration for ${type} is installed in this incident.io workspace`);
  }
  if (resource.url === undefined) throw required('resource.url', 'An arbitrary_url attachment needs a url');
  if (!/^https?:\/\/\S+$/.test(resource.url)) throw invalid('resource.url', `${JSON.stringify(resource.url)} is not an http(s) URL`);
  return { external_id: resource.url, permalink: resource.url, resource_type: type, title: resource.title ?? resource.url };
}

function createAttachment(state, { body }) {
  allowed(state, 'attachments.create');
  if (typeof body.incident_id !== 'string' || body.incident_id === '') throw required('incident_id', 'incident_id is required');
  const incident = state.incidents.find((i) => i.id === body.incident_id);
  if (!incident) throw notFound(`No incident with ID ${body.incident_id} exists`, 'incident_id');
  const attachment = { id: newId(), incident_id: incident.id, resource: resolveResource(state, body.resource) };
  state.attachments.push(attachment);
  return ok({ incident_attachment: attachment }, 201);
}

/** By incident_id, or by resource_type and external_id (as the spec allows), oldest first. */
function listAttachments(state, { query }) {
  allowed(state, 'attachments.view');
  if (!query.incident_id && !(query.resource_type && query.external_id)) {
    throw required('incident_id', 'Give incident_id, or resource_type and external_id');
  }
  const attachments = state.attachments.filter(
    (a) =>
      (!query.incident_id || a.incident_id === query.incident_id) &&
      (!query.resource_type || a.resource.resource_type === query.resource_type) &&
      (!query.external_id || a.resource.external_id === query.external_id),
  );
  return ok({ incident_attachments: attachments });
}

/** 204 with no body; an unknown ID is a 404. */
function deleteAttachment(state, { params }) {
  allowed(state, 'attachments.destroy');
  const index = state.attachments.findIndex((a) => a.id === params.id);
  if (index < 0) throw notFound(`No incident attachment with ID ${params.id} exists`);
  state.deletedAttachments.push(...state.attachments.splice(index, 1));
  return { status: 204, headers: {}, raw: '' };
}

/** Route key -> { auth, handle } for attachments. */
export const attachmentRoutes = {
  'POST /v1/incident_attachments': { auth: 'api', handle: createAttachment },
  'GET /v1/incident_attachments': { auth: 'api', handle: listAttachments },
  'DELETE /v1/incident_attachments/:id': { auth: 'api', handle: deleteAttachment },
};
