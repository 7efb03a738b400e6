/**
 * Makes text inert for the runner's workflow-command parser. The runner reads every stdout line
 * (split at CR, LF or CRLF) and runs it as a command when, after its leading whitespace is
 * trimmed, it starts with `::name::`, or when it holds the legacy `##[name]` form anywhere.
 * Every line the action prints passes through here, so no text from outside the action (an
 * incident name, a server's error, a workflow or branch name) can become a command.
 *
 * Both forms are broken with a zero-width space (U+200B), which the runner does not trim and
 * a reader does not see: `::` at a line start gets one in front, `##[` gets one before its `[`.
 */
const ZWSP = '\u200b';

/** Whitespace that either .NET's `TrimStart` or JavaScript's `trimStart` removes. */
const LEADING_SPACE = /^[\s\u0085]*/;

/** One line (no CR or LF inside) made inert. */
function inertLine(line: string): string {
  const safe = line.replaceAll('##[', `##${ZWSP}[`);
  return safe.slice(LEADING_SPACE.exec(safe)?.[0].length ?? 0).startsWith('::') ? ZWSP + safe : safe;
}

/** Text for a log line: each of its lines inert; CR and CRLF become LF, as the runner splits them. */
export function inertText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(inertLine)
    .join('\n');
}

/**
 * Text for an annotation's message or title: one line (the runner's command escaping carries
 * line breaks inside the command), with `##[` broken too.
 */
export function inertAnnotation(text: string): string {
  return text.replaceAll('##[', `##${ZWSP}[`);
}
