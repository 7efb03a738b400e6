/** The slice of `@actions/core` the action uses, passed in so tests can hand in a fake. */
import type * as actionsCore from '@actions/core';

export type Core = Pick<
  typeof actionsCore,
  'getInput' | 'setSecret' | 'setOutput' | 'info' | 'debug' | 'notice' | 'warning' | 'setFailed' | 'summary'
>;
