import { compareVersions } from '../../../review/release/version';

describe('compareVersions', () => {
  test.each([
    ['7.72.0', '7.73.0', -1],
    ['7.73.0', '7.72.0', 1],
    ['7.72.0', '7.72.0', 0],
    ['7.9.0', '7.10.0', -1],
    ['7.100.1', '7.99.9', 1],
    ['7.73.0-rc.1', '7.73.0', -1],
    ['7.73.0-rc.2', '7.73.0-rc.10', -1],
    ['7.73.0-beta', '7.73.0-rc.1', -1],
    ['7.73.0-rc', '7.73.0-rc.1', -1],
    ['6.99.0', '7.0.0', -1],
  ])('%s vs %s is %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a))).toBe(sign === 0 ? 0 : -sign);
  });

  test('non-versions compare as text, so the order is still total', () => {
    expect(Math.sign(compareVersions('latest', 'nightly'))).toBe(-1);
  });
});
