/** Input values read the same way by every job (src/settings/values.ts). */
import { parseIncidentId } from '../../src/settings/values.js';

describe('parseIncidentId', () => {
  it.each([
    ['INC-123', '123'],
    ['inc-0042', '0042'],
    ['123', '123'],
    ['01fdag4sap5typt98wgr2n7w91', '01fdag4sap5typt98wgr2n7w91'],
    ['INC-12a', 'INC-12a'],
  ])('%s → %s', (raw, id) => expect(parseIncidentId(raw)).toBe(id));
  it('refuses a path', () => {
    expect(() => parseIncidentId('../12')).toThrow(/Input "incident-id" is "..\/12"; allowed values: an incident ID/);
  });
});
