/** The raw `conditions` input of the maintenance job: the spec's shape, and a window that would hold every alert refused. */
import { parseConditionGroups } from '../../src/settings/conditions.js';

describe('parseConditionGroups', () => {
  const condition = {
    subject: 'alert.attributes.01ATTR',
    operation: 'one_of',
    param_bindings: [{ array_value: [{ literal: '01ENTRY' }] }],
  };

  it('reads the spec shape, both binding forms and references', () => {
    const groups = [
      { conditions: [condition, { subject: 'alert.title', operation: 'contains', param_bindings: [{ value: { literal: 'checkout' } }] }] },
      {
        conditions: [
          { subject: 'alert.attributes.01ENV', operation: 'is', param_bindings: [{ value: { reference: 'alert.attributes.01OTHER' } }] },
        ],
      },
    ];
    expect(parseConditionGroups(JSON.stringify(groups))).toEqual(groups);
  });

  it('refuses a window that holds every alert: no group, or a group without conditions', () => {
    expect(() => parseConditionGroups('[]')).toThrow(/it has no condition group, so the window would hold every alert/);
    expect(() => parseConditionGroups(JSON.stringify([{ conditions: [condition] }, { conditions: [] }]))).toThrow(
      /group \[1\] has no conditions, so it matches, and the window would hold, every alert/,
    );
  });

  it('names each problem by its path, typos included, in one error', () => {
    const raw = JSON.stringify([
      { conditions: [{ subject: '', operation: 'one_of', param_binding: [] }] },
      { conditions: [{ ...condition, param_bindings: [{}, { array_value: [] }, { value: { literal: 5 } }, { value: {}, extra: 1 }] }] },
      'oops',
    ]);
    let message = '';
    try {
      parseConditionGroups(raw);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Input "conditions" is not a list of condition groups as incident.io takes them: /);
    expect(message).toContain(
      '[0].conditions[0] has the key "param_binding", which is not one of "subject", "operation", "param_bindings"',
    );
    expect(message).toContain('[0].conditions[0].subject is empty text, where non-empty text is expected');
    expect(message).toContain('[0].conditions[0].param_bindings is missing, where a list is expected');
    expect(message).toContain('[1].conditions[0].param_bindings[0] has neither "value" nor "array_value"');
    expect(message).toContain('[1].conditions[0].param_bindings[1].array_value is an empty list, which matches no value');
    expect(message).toMatch(/; and \d+ more\. Write them as \[/);
  });

  it('refuses what is not JSON, or not a list, without repeating the value', () => {
    expect(() => parseConditionGroups('Service: checkout')).toThrow(/^Input "conditions" is not valid JSON \(/);
    expect(() => parseConditionGroups('{"alert_condition_groups": []}')).toThrow(
      /the value is an object, where a list of condition groups is expected/,
    );
    expect(() => parseConditionGroups('"::error::x"')).not.toThrow(/::error::/);
  });
});
