/** Leak checks for what a run printed, wrote and sent. */
import { FRAGMENT } from '../../src/core/redact.js';

/** Everything of a secret that must not appear: each of its fragments of FRAGMENT or more characters. */
export function fragmentsOf(secret: string): string[] {
  const fragments: string[] = [];
  for (let i = 0; i + FRAGMENT <= secret.length; i++) fragments.push(secret.slice(i, i + FRAGMENT));
  return fragments;
}

/**
 * The fragments of `secrets` found in `text`, leaving out the `::add-mask::` lines, which carry
 * a secret by design (they tell the runner what to mask).
 */
export function leakedFragments(text: string, secrets: readonly string[]): string[] {
  const visible = text
    .split(/\r\n|\r|\n/)
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  // As Markdown renders it too: `inc\_live\_…` in a summary shows as `inc_live_…`.
  const rendered = visible.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  return secrets.flatMap(fragmentsOf).filter((fragment) => visible.includes(fragment) || rendered.includes(fragment));
}
