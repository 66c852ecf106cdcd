import { describe, expect, it } from '@jest/globals';
import { type AppConfig } from '../../config/app-config.js';
import { prettyLogs } from './logging.js';

const config = (nodeEnv: AppConfig['nodeEnv']) => ({ nodeEnv }) as AppConfig;

describe('prettyLogs', () => {
  it('formats lines for a person at a terminal, outside production', () => {
    expect(prettyLogs(config('development'), { isTTY: true })).toBe(true);
    expect(prettyLogs(config('test'), { isTTY: true })).toBe(true);
  });

  it('keeps JSON when stdout is a pipe or a file, and always in production', () => {
    expect(prettyLogs(config('development'), { isTTY: false })).toBe(false);
    expect(prettyLogs(config('development'), {})).toBe(false);
    expect(prettyLogs(config('production'), { isTTY: true })).toBe(false);
  });
});
