import { deadlineSeconds, MAX_TIMER_MS, setLongTimeout } from './deadlines';

describe('setLongTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('a delay beyond the timer limit holds until it is due, then fires once', () => {
    const fn = jest.fn();
    const warn = jest.spyOn(process, 'emitWarning');
    const delay = 2_147_484 * 1000; // The first whole second past the limit.
    setLongTimeout(fn, delay);
    jest.advanceTimersByTime(MAX_TIMER_MS);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(delay - MAX_TIMER_MS - 1);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(10 * MAX_TIMER_MS);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  test('the largest accepted deadline (2^31 - 1 s) does not fire within a year', () => {
    const fn = jest.fn();
    setLongTimeout(fn, (2 ** 31 - 1) * 1000);
    jest.advanceTimersByTime(365 * 86400 * 1000);
    expect(fn).not.toHaveBeenCalled();
  });

  test('a short delay fires on time; a cleared timer never fires', () => {
    const fn = jest.fn();
    setLongTimeout(fn, 500);
    const cleared = jest.fn();
    setLongTimeout(cleared, 3 * MAX_TIMER_MS).clear();
    jest.advanceTimersByTime(499);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(4 * MAX_TIMER_MS);
    expect(cleared).not.toHaveBeenCalled();
  });
});

describe('deadlineSeconds', () => {
  test("the job's own deadline, else its group's job timeout, else the default", () => {
    expect(deadlineSeconds(60, 120, 86400)).toBe(60);
    expect(deadlineSeconds(null, 120, 86400)).toBe(120);
    expect(deadlineSeconds(null, null, 86400)).toBe(86400);
  });
});
