/**
 * src/local.ts, the entry for `npm run local-action`: @github/local-action fills an empty input
 * with action.yml's default, and outside a runner `${{ github.token }}` is only that text.
 */
import { withoutExpressions } from '../src/local.js';
import { fakeCore } from './helpers/fakes.js';

it('reads an unevaluated ${{ … }} default as empty, and every other value as it is', () => {
  const { core } = fakeCore({
    'github-token': '${{ github.token }}',
    'api-key': 'inc_local_key_123',
    summary: 'costs ${{ 5 }} a month, says the text',
    name: ' ${{\n github.workflow }} ',
  });
  const local = withoutExpressions(core);
  expect(local.getInput('github-token')).toBe('');
  expect(local.getInput('name')).toBe('');
  expect(local.getInput('api-key')).toBe('inc_local_key_123');
  expect(local.getInput('summary')).toBe('costs ${{ 5 }} a month, says the text');
  expect(local.getInput('severity')).toBe('');
  // Everything else is the core it was given.
  expect(local.setSecret).toBe(core.setSecret);
});
